"""Kallelse Testbed simulator: SOAP stand-ins for 1177 Inkorg, 1177 user profile and
PU-tjänsten, the control API and the citizen pages.

Map of the package (one sub-package per real-world service, domain apart from transport):

- ``clock``          the simulator clock every timestamp comes from
- ``storage``        SQLAlchemy engine, tables, migrations, the per-request memo (one
                     commit per request; group commit was measured and rejected:
                     docs/performance.md, "Decisions")
- ``soap``           RIVTA BP 2.1 transport: envelope, validation, faults, WSDL serving
- ``population``     the test citizens (folkbokföring + 1177 account) and personnummer rules
- ``inbox``          1177 Inkorg: AddMessage, threads, DocBook subset
- ``userprofile``    1177 user profile: GetUserProfile, GetSubjectOfCare, GetUserProfileByAgent
- ``pu``             PU-tjänsten: GetPersonsForProfile v5, profiles P1-P5
- ``control``        the JSON control/inspection API (Flask blueprint)
- ``app``            the application factory wiring it all together
- ``cli``            the ``kallelse`` command
"""
