@interop
Feature: Interoperability between networks
  A UE of one network calls or messages a UE of another, each registered in its own home network:
  the originating S-CSCF routes to the terminating network (its I-CSCF or IBCF), which hands the
  request to its S-CSCF and on to the UE (TS 24.228 7.2). Run by `ims-interop interop --profiles
  x.yaml y.yaml` for every ordered pair of networks; every message either UE receives is judged
  against the requirements as in the single-network suite.

  @IMS-IOP-001 @mandatory @ref=TS24.228-7.2 @ref=TS24.229-5.4.3.2 @ref=ETSI-TS186011-2
  Scenario: Call from a UE of one network to a UE of another, and release
    Given UE-A is registered in the originating network
    And UE-B is registered in the terminating network
    When UE-A calls UE-B without preconditions
    Then UE-B receives the INVITE with UE-A's identity in P-Asserted-Identity
    And the INVITE at UE-B was record-routed by both networks
    When UE-B rings and answers
    Then UE-A receives 180 and then 200 OK for the INVITE
    And UE-B receives the ACK
    When UE-A hangs up
    Then UE-B receives the BYE and UE-A's BYE gets 200 OK

  @IMS-IOP-002 @mandatory @ref=RFC3428 @ref=TS24.229-5.4.3.2 @ref=ETSI-TS186011-2
  Scenario: Message across networks
    Given UE-A is registered in the originating network
    And UE-B is registered in the terminating network
    When UE-A sends the MESSAGE "hello from the other network" to UE-B
    Then UE-B receives the MESSAGE "hello from the other network" with UE-A's identity in P-Asserted-Identity
    And UE-A's MESSAGE gets 200 OK

  @IMS-IOP-003 @mandatory @pics:preconditions @pics:100rel @ref=TS24.229-6.1.2 @ref=RFC3312 @ref=ETSI-TS186011-2
  Scenario: Call with preconditions across networks
    Given UE-A is registered in the originating network
    And UE-B is registered in the terminating network
    When UE-A calls UE-B with preconditions
    Then UE-B receives an INVITE that supports precondition and 100rel
    When UE-B answers with a reliable 183 carrying its SDP
    Then UE-A receives a reliable 183 and its PRACK gets 200 OK
    When UE-A sends an UPDATE saying its resources are reserved
    Then UE-B receives the UPDATE and UE-A gets 200 OK for it
    When UE-B rings and answers
    Then UE-A receives 180 and then 200 OK for the INVITE
    And UE-B receives the ACK
