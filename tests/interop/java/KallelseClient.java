// A care system written in Java, as a vendor builds it: JAX-WS RI (Debian's `jaxws`,
// wsimport) classes generated from the WSDLs the simulator serves, the RIVTA
// LogicalAddress header added with WSBindingProvider.setOutboundHeaders (the MVK WSDLs do
// not declare it) or passed as the declared header parameter (PU, GetMessageStatus), the
// consumer HSA-id as an HTTP header. Run by tests/interop/test_java.py, which starts the
// servers and parses the output: one line per check, "check <mode>.<name> ok" or
// "check <mode>.<name> FAIL <why>". Arguments are key=value pairs (see main).

import com.sun.xml.ws.api.message.Headers;
import com.sun.xml.ws.developer.WSBindingProvider;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.datatype.DatatypeFactory;
import javax.xml.namespace.QName;
import javax.xml.ws.BindingProvider;
import javax.xml.ws.handler.MessageContext;
import javax.xml.ws.soap.SOAPFaultException;

public final class KallelseClient {
    static final String REGISTRY_NS = "urn:riv:itintegration:registry:1";
    static final String CONSUMER_HEADER = "x-rivta-original-serviceconsumer-hsaid";
    static final String CHUNK_SIZE = "com.sun.xml.ws.transport.http.client.streaming.chunk.size";
    static final String PERSONNUMMER_OID = "1.2.752.129.2.1.3.1";

    interface Check {
        String run() throws Exception; // null when the check holds, else why not
    }

    interface Call {
        Object run() throws Exception;
    }

    /** One way of reaching the simulator: plain HTTP, chunked HTTP (through the test's
     * sniffing relay) or mutual TLS. */
    static final class Mode {
        final String name;
        final String endpointBase;
        final String consumer; // null over TLS: the certificate names the consumer
        final boolean chunked;

        Mode(String name, String endpointBase, String consumer, boolean chunked) {
            this.name = name;
            this.endpointBase = endpointBase;
            this.consumer = consumer;
            this.chunked = chunked;
        }
    }

    final Map<String, String> arg;
    final gen.am.AddMessageResponderService addMessageService;
    final gen.gup.GetUserProfileResponderService userProfileService;
    final gen.gsc.GetSubjectOfCareResponderService subjectOfCareService;
    final gen.pu.GetPersonsForProfileResponderService personsService;
    final gen.gms.GetMessageStatusResponderService messageStatusService;
    int failures = 0;

    KallelseClient(Map<String, String> arg) throws Exception {
        this.arg = arg;
        String wsdl = arg.get("wsdlBase"); // the plain server: Service reads the live WSDL from it
        addMessageService = new gen.am.AddMessageResponderService(new URL(wsdl + "/inbox/AddMessage/2/rivtabp21?wsdl"));
        userProfileService = new gen.gup.GetUserProfileResponderService(
                new URL(wsdl + "/userprofile/GetUserProfile/2/rivtabp21?wsdl"));
        subjectOfCareService = new gen.gsc.GetSubjectOfCareResponderService(
                new URL(wsdl + "/userprofile/GetSubjectOfCare/2/rivtabp21?wsdl"));
        personsService = new gen.pu.GetPersonsForProfileResponderService(
                new URL(wsdl + "/pu/GetPersonsForProfile/5/rivtabp21?wsdl"));
        messageStatusService = new gen.gms.GetMessageStatusResponderService(
                new URL(wsdl + "/inbox/GetMessageStatus/1/rivtabp21?wsdl"));
    }

    // --- ports ---------------------------------------------------------------------

    /** Endpoint, consumer header and chunking on a generated port. */
    <T> T configure(T port, Mode mode, String path, String consumer) {
        Map<String, Object> ctx = ((BindingProvider) port).getRequestContext();
        ctx.put(BindingProvider.ENDPOINT_ADDRESS_PROPERTY, mode.endpointBase + path);
        if (consumer != null) {
            Map<String, List<String>> headers = new HashMap<>();
            headers.put(CONSUMER_HEADER, Collections.singletonList(consumer));
            ctx.put(MessageContext.HTTP_REQUEST_HEADERS, headers);
        }
        if (mode.chunked) {
            ctx.put(CHUNK_SIZE, 256);
        }
        return port;
    }

    /** The RIVTA LogicalAddress SOAP header for WSDLs that do not declare it. */
    static <T> T withLogicalAddress(T port, String logicalAddress) {
        ((WSBindingProvider) port).setOutboundHeaders(
                Headers.create(new QName(REGISTRY_NS, "LogicalAddress"), logicalAddress));
        return port;
    }

    gen.am.AddMessageResponderInterface addMessage(Mode mode, String logicalAddress, String consumer) {
        gen.am.AddMessageResponderInterface port = configure(
                addMessageService.getAddMessageResponderPort(), mode, "/inbox/AddMessage/2/rivtabp21", consumer);
        return logicalAddress == null ? port : withLogicalAddress(port, logicalAddress);
    }

    gen.gup.GetUserProfileResponderInterface userProfile(Mode mode, String logicalAddress, String consumer) {
        gen.gup.GetUserProfileResponderInterface port = configure(
                userProfileService.getGetUserProfileResponderPort(), mode,
                "/userprofile/GetUserProfile/2/rivtabp21", consumer);
        return logicalAddress == null ? port : withLogicalAddress(port, logicalAddress);
    }

    gen.gsc.GetSubjectOfCareResponderInterface subjectOfCare(Mode mode) {
        return withLogicalAddress(configure(subjectOfCareService.getGetSubjectOfCareResponderPort(), mode,
                "/userprofile/GetSubjectOfCare/2/rivtabp21", mode.consumer), arg.get("logicalAddress"));
    }

    gen.pu.GetPersonsForProfileResponderInterface persons(Mode mode) {
        return configure(personsService.getGetPersonsForProfileResponderPort(), mode,
                "/pu/GetPersonsForProfile/5/rivtabp21", mode.consumer);
    }

    gen.gms.GetMessageStatusResponderInterface messageStatus(Mode mode) {
        return configure(messageStatusService.getGetMessageStatusResponderPort(), mode,
                "/inbox/GetMessageStatus/1/rivtabp21", mode.consumer);
    }

    // --- requests ------------------------------------------------------------------

    gen.am.AddMessageType addMessageRequest(String pnr, String businessObjectId, boolean notify) throws Exception {
        gen.am.CaseTypeType caseType = new gen.am.CaseTypeType();
        caseType.setCaseTypeDescription("Kallelse");
        gen.am.HealthCareFacilityType facility = new gen.am.HealthCareFacilityType();
        facility.setHsaId(arg.get("facilityHsaId"));
        facility.setHealthCareFacilityName("Fysiologen");
        gen.am.BookingType booking = new gen.am.BookingType();
        booking.setBookingId(businessObjectId + "-B");
        booking.setIsInvitation(true);
        booking.setBookingDate(DatatypeFactory.newInstance().newXMLGregorianCalendar("2026-12-01T09:30:00"));
        gen.am.MessageCaseType message = new gen.am.MessageCaseType();
        message.setCaseType(caseType);
        message.setHealthCareFacility(facility);
        message.setBooking(booking);
        message.setBusinessObjectId(businessObjectId);
        message.setHeaderText("Kallelse till arbetsprov");
        message.setMsg(arg.get("docbook")); // JAXB escapes it on the wire (MC-02)
        gen.am.AddMessageType request = new gen.am.AddMessageType();
        request.setSubjectOfCareId(pnr);
        request.setMessage(message);
        request.setNotify(notify);
        return request;
    }

    gen.gup.GetUserProfileType userProfileRequest(String pnr) {
        gen.gup.GetUserProfileType request = new gen.gup.GetUserProfileType();
        request.setSubjectOfCare(pnr);
        return request;
    }

    gen.pu.GetPersonsForProfileType personsRequest(gen.pu.LookupProfileType profile, String... pnrs) {
        gen.pu.GetPersonsForProfileType request = new gen.pu.GetPersonsForProfileType();
        for (String pnr : pnrs) {
            gen.pu.IIType id = new gen.pu.IIType();
            id.setRoot(PERSONNUMMER_OID);
            id.setExtension(pnr);
            request.getPersonId().add(id);
        }
        request.setProfile(profile);
        request.setIgnoreReferredIdentity(false);
        return request;
    }

    // --- checks --------------------------------------------------------------------

    static String expect(String what, Object actual, Object expected) {
        return String.valueOf(expected).equals(String.valueOf(actual))
                ? null : what + ": expected " + expected + ", got " + actual;
    }

    static String firstProblem(String... problems) {
        for (String p : problems) {
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /** A call that must end in a SOAP Fault with this faultcode and text prefix. */
    static String expectFault(Call call, String code, String textPart) {
        try {
            call.run();
            return "no fault: the call answered normally";
        } catch (SOAPFaultException exc) {
            String actualCode = exc.getFault().getFaultCodeAsQName().getLocalPart();
            String text = exc.getFault().getFaultString();
            return firstProblem(expect("faultcode", actualCode, code),
                    text != null && text.contains(textPart) ? null : "faultstring lacks " + textPart + ": " + text);
        } catch (Exception exc) {
            return "not a SOAPFaultException: " + exc;
        }
    }

    void check(Mode mode, String name, Check check) {
        String problem;
        try {
            problem = check.run();
        } catch (Exception exc) {
            problem = exc.getClass().getName() + ": " + exc.getMessage();
        }
        String label = mode.name + "." + name;
        if (problem == null) {
            System.out.println("check " + label + " ok");
        } else {
            failures++;
            System.out.println("check " + label + " FAIL " + problem.replace('\n', ' '));
        }
        System.out.flush();
    }

    void answers(Mode mode) {
        String pnr = arg.get("personnummer");
        String address = arg.get("logicalAddress");
        String businessObjectId = "JAVA-" + mode.name;
        check(mode, "AddMessage.ok", () -> {
            gen.am.AddMessageResponseType r = addMessage(mode, address, mode.consumer)
                    .addMessage(addMessageRequest(pnr, businessObjectId, false));
            gen.am.MessageCaseType m = r.getMessage();
            return firstProblem(expect("resultCode", r.getResultCode(), "OK"),
                    m == null ? "no message echoed" : null,
                    expect("businessObjectId", m.getBusinessObjectId(), businessObjectId),
                    expect("headerText", m.getHeaderText(), "Kallelse till arbetsprov"),
                    expect("msg", m.getMsg(), arg.get("docbook")),
                    expect("hsaId", m.getHealthCareFacility().getHsaId(), arg.get("facilityHsaId")),
                    expect("caseReadStatus", m.getCaseReadStatus(), "UNREAD"));
        });
        check(mode, "GetMessageStatus.ok", () -> {
            gen.gms.GetMessageStatusType request = new gen.gms.GetMessageStatusType();
            request.setSubjectOfCareId(pnr);
            request.setBusinessObjectId(businessObjectId);
            gen.gms.GetMessageStatusResponseType r = messageStatus(mode).getMessageStatus(request, address);
            return firstProblem(expect("resultCode", r.getResultCode(), "OK"),
                    expect("messages", r.getMessage().size(), 1),
                    r.getMessage().isEmpty() ? null
                            : expect("caseReadStatus", r.getMessage().get(0).getCaseReadStatus(), "UNREAD"));
        });
        check(mode, "GetUserProfile.ok", () -> {
            gen.gup.GetUserProfileResponseType r = userProfile(mode, address, mode.consumer)
                    .getUserProfile(userProfileRequest(pnr));
            return firstProblem(expect("resultCode", r.getResultCode(), "OK"),
                    expect("isActive", r.isIsActive(), true),
                    expect("mobilePhoneNumber", r.getUserProfile().getMobilePhoneNumber(), arg.get("mobile")),
                    expect("hasSmsNotification", r.getUserProfile().isHasSmsNotification(), true));
        });
        check(mode, "GetSubjectOfCare.ok", () -> {
            gen.gsc.GetSubjectOfCareType request = new gen.gsc.GetSubjectOfCareType();
            request.setSubjectOfCare(pnr);
            gen.gsc.GetSubjectOfCareResponseType r = subjectOfCare(mode).getSubjectOfCare(request);
            return firstProblem(expect("resultCode", r.getResultCode(), "OK"),
                    expect("subjectOfCareId", r.getSubjectOfCare().getSubjectOfCareId(), pnr),
                    expect("lastName", r.getSubjectOfCare().getLastName(), arg.get("surname")));
        });
        check(mode, "GetPersonsForProfile.P3", () -> {
            List<gen.pu.RequestedPersonRecordType> records = persons(mode)
                    .getPersonsForProfile(personsRequest(gen.pu.LookupProfileType.P_3, pnr, arg.get("unknown")), address)
                    .getRequestedPersonRecord();
            List<String> asked = new ArrayList<>();
            for (gen.pu.RequestedPersonRecordType record : records) {
                asked.add(record.getRequestedPersonalIdentity().getExtension());
            }
            gen.pu.PersonRecordType found = records.get(0).getPersonRecord();
            return firstProblem(expect("requested", asked, List.of(pnr, arg.get("unknown"))),
                    expect("surname", found.getName().getSurname(), arg.get("surname")),
                    expect("optoutPaperNotification", found.isOptoutPaperNotification(), true),
                    expect("unknown person's record", records.get(1).getPersonRecord(), null));
        });
        check(mode, "GetPersonsForProfile.protectedP1only", () -> {
            gen.pu.PersonRecordType p = persons(mode)
                    .getPersonsForProfile(personsRequest(gen.pu.LookupProfileType.P_3, arg.get("protected")), address)
                    .getRequestedPersonRecord().get(0).getPersonRecord();
            return firstProblem(expect("protectedPersonIndicator", p.isProtectedPersonIndicator(), true),
                    expect("addressInformation (P2+)", p.getAddressInformation(), null),
                    expect("optoutPaperNotification (P3)", p.isOptoutPaperNotification(), null),
                    p.getName() == null ? "no name (P1)" : null);
        });
    }

    void logicalAnswersAndFaults(Mode mode) {
        String address = arg.get("logicalAddress");
        check(mode, "GetUserProfile.INFO", () -> {
            gen.gup.GetUserProfileResponseType r = userProfile(mode, address, mode.consumer)
                    .getUserProfile(userProfileRequest(arg.get("unknown")));
            return firstProblem(expect("resultCode", r.getResultCode(), "INFO"),
                    r.getResultText() == null || r.getResultText().isBlank() ? "no resultText" : null,
                    expect("userProfile", r.getUserProfile(), null));
        });
        check(mode, "AddMessage.ERROR", () -> {
            gen.am.AddMessageResponseType r = addMessage(mode, address, mode.consumer)
                    .addMessage(addMessageRequest(arg.get("personnummer"), "JAVA-ERR-" + mode.name, true));
            return firstProblem(expect("resultCode", r.getResultCode(), "ERROR"),
                    r.getResultText() != null && r.getResultText().contains("sourceSystem")
                            ? null : "resultText does not name sourceSystem: " + r.getResultText(),
                    expect("message", r.getMessage(), null));
        });
        check(mode, "fault.VP003", () -> expectFault(
                () -> userProfile(mode, null, mode.consumer).getUserProfile(userProfileRequest(arg.get("personnummer"))),
                "Client", "VP003"));
        check(mode, "fault.VP004", () -> expectFault(
                () -> addMessage(mode, "NO-SUCH-ADDRESS", mode.consumer)
                        .addMessage(addMessageRequest(arg.get("personnummer"), "JAVA-VP004", false)),
                "Client", "VP004"));
        check(mode, "fault.VP007", () -> expectFault(
                () -> userProfile(mode, address, arg.get("stranger"))
                        .getUserProfile(userProfileRequest(arg.get("personnummer"))),
                "Server", "VP007"));
        check(mode, "fault.schema", () -> expectFault(
                () -> userProfile(mode, address, mode.consumer).getUserProfile(userProfileRequest("12345")),
                "Client", "subjectOfCare"));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> arg = new HashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            arg.put(a.substring(0, eq), a.substring(eq + 1));
        }
        KallelseClient client = new KallelseClient(arg);
        String consumer = arg.get("consumer");
        Mode plain = new Mode("plain", arg.get("plainBase"), consumer, false);
        client.answers(plain);
        client.logicalAnswersAndFaults(plain);
        if (arg.containsKey("chunkedBase")) {
            Mode chunked = new Mode("chunked", arg.get("chunkedBase"), consumer, true);
            client.answers(chunked);
            client.logicalAnswersAndFaults(chunked);
        }
        if (arg.containsKey("tlsBase")) {
            Mode tls = new Mode("tls", arg.get("tlsBase"), null, false);
            client.answers(tls);
        }
        System.out.println("done " + client.failures + " failures");
        System.exit(client.failures == 0 ? 0 : 1);
    }
}
