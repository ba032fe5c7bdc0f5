// A care system written in Node.js, using the npm `soap` package against the WSDLs the
// simulator serves. Called by test_node_soap.py with one JSON argument (what to call) and
// prints one JSON object (what came back); the Python test does the asserting.
"use strict";
const soap = require("soap");

async function client(call, name, withLogicalAddress = true) {
  const c = await soap.createClientAsync(call.base + call.wsdl[name]);
  c.addHttpHeader(call.consumerHeader, call.consumer);
  if (withLogicalAddress) {
    c.addSoapHeader(`<LogicalAddress xmlns="${call.registryNs}">${call.logicalAddress}</LogicalAddress>`);
  }
  return c;
}

async function invoke(call, name, args, withLogicalAddress = true) {
  const c = await client(call, name, withLogicalAddress);
  try {
    const [result] = await c[`${name}Async`](args);
    return { result };
  } catch (err) {
    const fault = err.root && err.root.Envelope && err.root.Envelope.Body && err.root.Envelope.Body.Fault;
    if (!fault) throw err;
    return { fault: { code: fault.faultcode, text: fault.faultstring }, status: err.response && err.response.status };
  }
}

async function main() {
  const call = JSON.parse(process.argv[2]);
  const pnr = call.personnummer;
  const out = {};
  out.AddMessage = await invoke(call, "AddMessage", {
    subjectOfCareId: pnr,
    // Members in XSD sequence order: CaseType's, then MessageCaseType's msg.
    message: {
      caseType: { caseTypeDescription: "Kallelse" },
      healthCareFacility: { hsaId: "SE2321000016-F2", healthCareFacilityName: "Fysiologen" },
      booking: { bookingId: call.bookingId, isInvitation: true, bookingDate: "2026-12-01T09:30:00" },
      businessObjectId: call.businessObjectId,
      headerText: "Kallelse till arbetsprov",
      msg: call.docbook,
    },
    notify: false,
  });
  out.GetUserProfile = await invoke(call, "GetUserProfile", { subjectOfCare: pnr });
  out.GetSubjectOfCare = await invoke(call, "GetSubjectOfCare", { subjectOfCare: pnr });
  out.GetPersonsForProfile = await invoke(call, "GetPersonsForProfile", {
    personId: [{ root: call.oid, extension: pnr }, { root: call.oid, extension: call.unknown }],
    profile: "P3",
    ignoreReferredIdentity: false,
  });
  out.withoutLogicalAddress = await invoke(call, "GetUserProfile", { subjectOfCare: pnr }, false);
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  if (err.response) process.stderr.write(`HTTP ${err.response.status}: ${err.body || ""}\n`);
  process.exit(1);
});
