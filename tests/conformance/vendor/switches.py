"""The vendor's switches. A *defect* breaks exactly one rule of the catalog, the way a
real system gets it wrong; ``also`` lists any other rule the defect genuinely breaks too,
with the reason (the matrix test accepts those and no others). A *variant* is a different
but correct design: the suite must pass it."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Defect:
    name: str
    rule: str
    what: str
    also: tuple[tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class Variant:
    name: str
    what: str


D = Defect
DEFECTS = {
    d.name: d
    for d in (
        D("pu_via_other_consumer", "LK-01", "PU is asked under another system's HSA-id (a shared integration id)"),
        D(
            "no_pu_lookup",
            "LK-01",
            "no PU lookup at all: every patient treated as an ordinary adult",
            (
                ("CH-01", "the paper opt-out is read from PU"),
                ("CH-10", "protection is read from PU: the letter goes to the ordinary route"),
                ("CH-11", "deregistration is read from PU: the deceased patient is sent the kallelse"),
                (
                    "LK-03",
                    "a PU fault never reaches the vendor, so the PU patient is not judged; the test reads this too",
                ),
                ("RP-01", "the shares are counted over the wrong channels"),
            ),
        ),
        D("userprofile_via_other_consumer", "LK-02", "GetUserProfile asked under another system's HSA-id"),
        D(
            "no_userprofile_lookup",
            "LK-02",
            "no GetUserProfile: every patient taken for digitally reachable",
            (("CH-07", "an active account without notifications looks reachable without the lookup"),),
        ),
        D("drop_on_pu_fault", "LK-03", "a PU fault drops the kallelse (no paper, no retry)"),
        D("no_lookup_retry", "LK-03", "after a lookup fault: paper, but never a retry"),
        D("no_paper_on_profile_fault", "LK-03", "a GetUserProfile fault: retry later, but no paper now"),
        D("no_paper_on_info", "LK-04", "AddMessage INFO: nothing more is done"),
        D("no_paper_on_error", "LK-04", "AddMessage ERROR: nothing more is done"),
        D("no_retry_on_fault", "LK-04", "AddMessage Fault: never retried"),
        D("new_id_on_retry", "LK-04", "AddMessage retried with a new businessObjectId"),
        D("retry_sends_twice", "LK-04", "a successful retry is sent a second time (a second copy in the thread)"),
        D("ignore_optout", "CH-01", "the paper opt-out is ignored: paper for everyone reachable"),
        D(
            "no_paper_for_distant_visits",
            "CH-02",
            "no paper for a reachable patient whose PU record says not opted out, when the visit is over a week away",
        ),
        D(
            "ignore_minors",
            "CH-03",
            "minors treated as adults",
            (("CH-09", "the minor at short notice is CH-09's 'then both' case, which rests on CH-03"),),
        ),
        D("birthday_is_minor", "CH-03", "the 18th birthday still counts as a minor"),
        D("age_on_utc_date", "CH-03", "age computed on the UTC date, not the Swedish date"),
        D(
            "ignore_interpreter",
            "CH-04",
            "interpreter need adds no paper",
            (("CH-09", "the interpreter patient at short notice is CH-09's 'then both' case, which rests on CH-04"),),
        ),
        D("optout_trumps_interpreter", "CH-04", "an opted-out patient with an interpreter gets digital only"),
        D("ignore_samordningsnummer", "CH-05", "samordningsnummer treated as personnummer"),
        D("ignore_reservnummer", "CH-05", "reservnummer treated as personnummer"),
        D("nothing_without_account", "CH-06", "an opted-out patient without an account gets nothing"),
        D("no_notifications_is_reachable", "CH-07", "an account without notifications counts as reachable"),
        D("nothing_for_inactive_account", "CH-08", "an opted-out patient with an inactive account gets nothing"),
        D("ignore_short_notice", "CH-09", "short notice changes nothing (paper as well, too late)"),
        D("short_notice_inclusive", "CH-09", "a visit exactly short_notice_days away counts as short notice"),
        D("short_notice_in_whole_days", "CH-09", "short notice compared in calendar days, not as a duration"),
        D("short_notice_drops_minor_paper", "CH-09", "at short notice a minor gets digital only (CH-09: then both)"),
        D(
            "short_notice_drops_interpreter_paper",
            "CH-09",
            "at short notice an interpreter patient gets digital only (then both)",
        ),
        D(
            "protected_letter_unflagged",
            "CH-10",
            "the protected person's letter is not flagged for the protected route",
        ),
        D("only_protected_person_indicator", "CH-10", "protectedPopulationRecord is not read"),
        D("send_to_deceased", "CH-11", "deregistration is not read"),
        D("only_deceased_is_deregistered", "CH-11", "only AV (deceased) stops the kallelse; emigrated etc. are sent"),
        D("no_manual_flag", "CH-11", "nothing sent for the deregistered, but the booking is not flagged manual"),
        D("enclosure_digital_only", "CH-12", "a kallelse with a physical enclosure goes digital only"),
        D("no_fallback", "FB-01", "no paper when a digital-only kallelse stays unread"),
        D("fallback_an_hour_early", "FB-01", "fallback paper one hour before fallback_days"),
        D("fallback_minutes_early", "FB-01", "fallback paper five minutes before fallback_days"),
        D("fallback_two_days_late", "FB-01", "fallback paper two days after fallback_days"),
        D("fallback_even_if_read", "FB-02", "fallback paper even when the message was read"),
        D("fallback_after_cancel", "FB-02", "fallback paper for a cancelled booking"),
        D("fallback_after_visit", "FB-02", "fallback paper after the visit has passed"),
        D("no_reminders", "RM-01", "no SMS reminders"),
        D("reminder_after_cancel", "RM-01", "SMS reminders still go out after a cancellation"),
        D("only_first_reminder", "RM-01", "only the first reminder day's SMS"),
        D("reminder_a_day_early", "RM-01", "each reminder a day early"),
        D("reminder_twice", "RM-01", "each reminder day's SMS sent twice"),
        D("sms_without_consent", "RM-01", "SMS reminders to patients who did not ask for them"),
        D("sms_at_night", "RM-01", "the reminder SMS goes out just after midnight"),
        D("reminder_in_new_thread", "RM-02", "the 1177 reminder starts a new thread"),
        D("reminder_to_read_thread", "RM-02", "the 1177 reminder is added even when the kallelse was read"),
        D("pu_address_for_inbox", "MC-01", "AddMessage sent to PU's LogicalAddress"),
        D("inbox_address_for_pu", "MC-01", "GetPersonsForProfile sent to 1177's LogicalAddress"),
        D("docbook_emphasis", "MC-02", "msg uses <emphasis>, outside the 1177 DocBook subset"),
        D("docbook_para_in_ulink", "MC-02", "a para inside a ulink, against the parent/child table"),
        D(
            "no_source_system",
            "MC-03",
            "notify=true without sourceSystem",
            (
                ("LK-03", "1177 answers ERROR to every AddMessage without sourceSystem: none is ever accepted"),
                ("LK-04", "the same: the re-sent kallelse is never stored"),
                ("MC-09", "with the kallelse refused there is no thread, so no update or cancellation is sent"),
                ("MC-10", "the same: no cancellation in a thread that 1177 never opened"),
            ),
        ),
        D("foreign_source_system", "MC-03", "sourceSystem is another system's HSA-id"),
        D(
            "hyphen_on_cancel",
            "MC-04",
            "the cancellation's subjectOfCareId written with a hyphen",
            (("MC-01", "the contract schema's pattern refuses the hyphen, so the request is XSD-invalid too"),),
        ),
        D("wrong_check_digit_on_update", "MC-04", "the update's subjectOfCareId has a wrong check digit"),
        D(
            "ten_digits_on_cancel",
            "MC-04",
            "the cancellation's subjectOfCareId written with ten digits",
            (("MC-01", "the contract schema's pattern refuses ten digits, so the request is XSD-invalid too"),),
        ),
        D("no_preparations", "MC-05", "the preparations are left out of the digital kallelse"),
        D("no_contact", "MC-05", "no contact phone, neither in msg nor in healthCareFacility"),
        D("no_facility_address", "MC-05", "the facility's address is left out"),
        D("time_in_utc", "MC-05", "the visit time written in UTC"),
        D("no_booking_date", "MC-06", "booking without bookingDate"),
        D("booking_date_utc_unzoned", "MC-06", "bookingDate the UTC wall time without a zone"),
        D("rebooking_always_allowed", "MC-06", "rebookingAllowed=true whatever the clinic allows"),
        D("not_an_invitation", "MC-06", "isInvitation=false"),
        D("open_invitation_with_date", "MC-07", "an open invitation carries a bookingDate"),
        D("open_invitation_unflagged", "MC-07", "an open invitation without isOpenInvitation"),
        D("no_directions_link", "MC-08", "no directions (hitta hit) link"),
        D(
            "new_thread_on_update",
            "MC-09",
            "the update starts a new thread",
            (("MC-10", "the cancellation follows the update into the new thread, away from the kallelse's"),),
        ),
        D("update_sent_twice", "MC-09", "the update is sent twice (a second copy in the thread)"),
        D("cancel_unflagged", "MC-10", "the cancellation lacks booking/cancelled=true"),
        D("cancel_in_new_thread", "MC-10", "the cancellation starts a new thread", (("MC-09", "it is a new thread"),)),
        D("no_form_link", "MC-11", "no link to the clinic's form"),
        D("sms_names_clinic", "MC-12", "the SMS names the clinic"),
        D("sms_with_date", "MC-12", "the SMS gives the visit's date"),
        D("paper_left_out_of_report", "RP-01", "the report leaves out paper letters sent beside the 1177 message"),
        D("no_read_receipts", "RP-02", "read receipts are reported as unread"),
    )
}

V = Variant
VARIANTS = {
    v.name: v
    for v in (
        V("date_numeric", "the visit written 2026-12-01 kl. 10.00"),
        V("date_with_weekday", "the visit written tisdag den 1 december 2026, klockan 10:00"),
        V("contact_in_facility", "the contact phone only in healthCareFacility, not in msg"),
        V("booking_date_utc_zoned", "bookingDate as a UTC instant with Z"),
        V("booking_date_offset", "bookingDate with the Swedish offset (+01:00)"),
        V("batch_pu_lookups", "one GetPersonsForProfile for all bookings due together"),
        V("retry_schedule_slow", "lookup and AddMessage retries after 2, 30 and 120 minutes"),
        V("fallback_nightly_batch", "fallback paper in a nightly 02:00 batch after the deadline"),
        V("reminder_at_ten_thirty", "reminder SMS at 10:30 instead of the profile's time"),
        V("no_thread_reminder", "no reminder message in the 1177 thread (RM-02 says may)"),
        V("paper_before_digital", "the paper letter is posted before the AddMessage"),
        V("userprofile_before_pu", "GetUserProfile asked before PU"),
        V("plain_sms_wording", "a different SMS wording without visit details"),
    )
}


def lookup(name: str) -> Defect | Variant:
    return DEFECTS.get(name) or VARIANTS[name]
