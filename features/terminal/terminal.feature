@terminal
Feature: A terminal as the system under test
  The harness plays the IMS network (P-CSCF and S-CSCF, as TS 34.229's system simulator does)
  against a UE under test, and makes the UE act through the profile's upper tester. Every message
  the UE sends the network is judged against the requirements that bind a UE (TS 24.229 5.1);
  UE-B is a UE the harness simulates, at the other end of calls and messages. Each test case
  switches the UE on first and off after it.

  @IMS-UE-001 @mandatory @pics:digest @upper-tester:register @ref=TS24.229-5.1.1.2 @ref=RFC7616 @ref=TS34.229-1-C.2
  Scenario: Initial registration with SIP Digest
    Given the UE under test has Digest credentials
    And the UE under test is switched on
    When the UE under test is made to register
    Then the UE under test's first REGISTER is challenged with Digest
    And the UE under test answers the challenge and is registered

  @IMS-UE-002 @mandatory @pics:aka @upper-tester:register @ref=TS24.229-5.1.1.2 @ref=RFC3310 @ref=TS34.229-1-C.2
  Scenario: Initial registration with IMS-AKA
    Given the UE under test has AKA credentials
    And the UE under test is switched on
    When the UE under test is made to register
    Then the UE under test's first REGISTER is challenged with AKA
    And the UE under test answers the challenge and is registered

  @IMS-UE-003 @mandatory @upper-tester:register @ref=TS24.229-5.1.1.4.1
  Scenario: Re-registration before the granted expiry
    Given the network grants registrations for at most 10 seconds
    And the UE under test is switched on and registered
    Then the UE under test re-registers before the 10 seconds are over

  @IMS-UE-004 @mandatory @upper-tester:register @upper-tester:call @upper-tester:hangup @ref=TS24.229-5.1.2A.1 @ref=TS24.229-5.1.3.1 @ref=RFC3261-13.2
  Scenario: A call placed by the UE, routed by the Service-Route, released by the UE
    Given UE-B is registered
    And the UE under test is switched on and registered
    When the UE under test is made to call UE-B
    And UE-B rings and answers
    Then UE-B receives the ACK
    And where the profile claims p-preferred-identity, the UE under test's INVITE carries P-Preferred-Identity
    When the UE under test is made to hang up
    Then UE-B receives the BYE of the UE under test

  @IMS-UE-005 @mandatory @upper-tester:register @upper-tester:deregister @ref=TS24.229-5.1.1.6
  Scenario: De-registration on command
    Given the UE under test is switched on and registered
    When the UE under test is made to de-register
    Then the network receives the UE under test's de-registration and removes its binding

  @IMS-UE-006 @mandatory @pics:reg-event @upper-tester:register @upper-tester:call @ref=TS24.229-5.1.1.3 @ref=TS24.229-5.1.1.7 @ref=TS24.229-5.4.1.5
  Scenario: Network-initiated de-registration: the UE stops using the registration
    Given UE-B is registered
    And the UE under test is switched on and registered
    And the UE under test has subscribed to its reg event
    When the network terminates the registration of the UE under test
    And the UE under test is made to call UE-B
    Then the UE under test does not use the terminated registration within 4 seconds

  @IMS-UE-007 @mandatory @upper-tester:register @upper-tester:answer @ref=RFC3261-13.3.1 @ref=TS24.229-5.1.4
  Scenario: A call answered by the UE, released by the peer
    Given UE-B is registered
    And the UE under test is switched on and registered
    When UE-B calls the UE under test
    And UE-B receives 180
    And UE-B's call is answered by the UE under test
    Then UE-B receives 200 OK for the INVITE
    And the call lasts 2 seconds
    When UE-B hangs up
    Then UE-B's BYE is answered 200 by the UE under test

  @IMS-UE-008 @mandatory @upper-tester:register @ref=RFC3261-9.2
  Scenario: A call cancelled by the peer before the UE answers
    Given UE-B is registered
    And the UE under test is switched on and registered
    When UE-B calls the UE under test
    And UE-B receives 180
    And UE-B cancels the call
    Then UE-B receives 200 OK for the CANCEL and 487 for the INVITE

  @IMS-UE-009 @mandatory @upper-tester:register @ref=RFC3428-7 @ref=TS24.229-5.1.2A
  Scenario: A MESSAGE received and answered by the UE
    Given UE-B is registered
    And the UE under test is switched on and registered
    When UE-B sends the MESSAGE "hello from the network side" to the UE under test
    Then UE-B receives the UE under test's answer to the MESSAGE

  @IMS-UE-010 @optional @pics:100rel @upper-tester:register @ref=RFC3262-3 @ref=TS24.229-5.1.4
  Scenario: A reliable provisional response from the UE
    Given UE-B is registered
    And the UE under test is switched on and registered
    When UE-B calls the UE under test requiring 100rel
    Then UE-B receives a reliable 180 and its PRACK gets 200 OK
    When UE-B cancels the call
    Then UE-B receives 200 OK for the CANCEL and 487 for the INVITE

  @IMS-UE-011 @optional @pics:preconditions @pics:100rel @upper-tester:register @ref=RFC3312-5 @ref=TS24.229-5.1.4.1 @ref=TS34.229-5-7.4a
  Scenario: A call with preconditions to the UE
    Given UE-B is registered
    And the UE under test is switched on and registered
    When UE-B calls the UE under test with preconditions
    Then UE-B receives a reliable 183 and its PRACK gets 200 OK
    When UE-B sends an UPDATE saying its resources are reserved
    Then UE-B's UPDATE is answered 200 by the UE under test
    And UE-B receives 180
    When UE-B cancels the call
    Then UE-B receives 200 OK for the CANCEL and 487 for the INVITE
