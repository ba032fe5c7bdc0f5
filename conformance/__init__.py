"""Conformance suite: certifies a vendor's kallelse system against the contract rules
(MC-01..MC-04, MC-09/MC-10 on the wire) and the guideline rules (LK, CH, FB, RM, MC) of
/work/shared/guideline-rules.md, through the simulator and a vendor adapter.

Map: ``catalog`` (what each rule ID means and what is observed), ``scenario``/``runner``
(set up citizens, drive the vendor, move the clock, judge), ``checks/*`` (one module per
rule family), ``passive`` (judge recorded traffic), ``report`` (JUnit, JSON, HTML)."""
