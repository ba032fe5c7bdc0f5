"""AddMessage 2.0 written the spyne way (spyne 2.14, lxml validation), only as a
comparison target for the SOAP benchmark: the issue asked for spyne, and the benchmark
shows what it costs. The model restates the contract's types in Python (which is exactly
what the simulator avoids: there the XSD files are the contract)."""

from __future__ import annotations

from spyne import Application, Boolean, ComplexModel, Date, DateTime, Integer, ServiceBase, Time, Unicode, rpc
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

CORE = "urn:mvk:crm:casemanagement:inbox:2"
RESPONDER = "urn:mvk:crm:casemanagement:inbox:AddMessageResponder:2"
ADDRESSING = "urn:riv:itintegration:registry:1"


class _Core(ComplexModel):
    __namespace__ = CORE


class CaseTypeType(_Core):
    _type_info = [("id", Unicode), ("caseTypeDescription", Unicode)]


class HealthCareFacilityType(_Core):
    _type_info = [
        ("hsaId", Unicode),
        ("healthCareFacilityName", Unicode),
        ("healthCareFacilityAddress", Unicode),
        ("healthCareFacilityPostalCode", Unicode),
        ("healthCareFacilityPostalCity", Unicode),
        ("healthCareFacilityTelephone", Unicode),
        ("childHsaId", Unicode),
        ("isServiceCategory", Boolean),
    ]


class BookingType(_Core):
    _type_info = [
        ("bookingId", Unicode(min_occurs=1)),
        ("isInvitation", Boolean(min_occurs=1)),
        ("isOpenInvitation", Boolean),
        ("rebookingAllowed", Boolean),
        ("cancelBookingAllowed", Boolean),
        ("dynamicId", Unicode),
        ("cancelled", Boolean),
        ("performerName", Unicode),
        ("bookingDate", DateTime),
        ("timeTypeName", Unicode),
        ("careTypeId", Unicode),
        ("userContextStatus", Unicode),
    ]


class UrlConfigurationType(_Core):
    _type_info = [
        ("systemId", Unicode(min_occurs=1)),
        ("urlText", Unicode(min_occurs=1)),
        ("queryString", Unicode),
        ("urlLinkType", Unicode(min_occurs=1, values=["CurrentWindow", "NewWindow", "Widget", "Embedded"])),
    ]


class CaseStatusType(_Core):
    _type_info = [("id", Integer(min_occurs=1)), ("statusDescription", Unicode)]


class MessageCaseType(_Core):
    _type_info = [
        ("id", Unicode),
        ("caseReadStatus", Unicode(values=["Read", "Unread"])),
        ("actionDate", Date),
        ("actionTime", Time),
        ("caseType", CaseTypeType),
        ("userSelectionStatus", Unicode(values=["Active", "Archived"])),
        ("healthCareFacility", HealthCareFacilityType),
        ("booking", BookingType),
        ("businessObjectId", Unicode),
        ("headerText", Unicode),
        ("bodyText", Unicode),
        ("msg", Unicode),
        ("urlConfiguration", UrlConfigurationType),
    ]


class LogicalAddress(Unicode):
    __namespace__ = ADDRESSING
    __type_name__ = "LogicalAddress"


class InboxService(ServiceBase):
    @rpc(
        Unicode(min_occurs=1, pattern="[0-9]{8}[0-9pPtTfF][0-9]{3}"),
        MessageCaseType.customize(min_occurs=1),
        Boolean(min_occurs=1),
        Unicode,
        _in_header=(LogicalAddress,),
        _returns=Unicode(min_occurs=1),
        _out_variable_name="resultCode",
        _in_message_name="AddMessage",
        _out_message_name="AddMessageResponse",
        _operation_name="AddMessage",
    )
    def AddMessage(ctx, subjectOfCareId, message, notify, sourceSystem):
        return "OK"


def application():
    app = Application([InboxService], tns=RESPONDER, in_protocol=Soap11(validator="lxml"), out_protocol=Soap11())
    return WsgiApplication(app)


def spyne_app():
    """The WSGI app gunicorn and the in-process micro-benchmark run."""
    return application()
