Feature: Call control
  Calls between two registered UEs through the network, as in TS 24.228 7 and 8: the INVITE with
  P-Asserted-Identity, provisional and reliable provisional responses, preconditions with UPDATE,
  CANCEL, busy and declined calls, release by either side, forking and tel URIs.

  @IMS-CALL-001 @mandatory @ref=TS24.228-7.2 @ref=RFC3261-13
  Scenario: Basic call and release, no preconditions
    Given UE-A and UE-B are registered
    When UE-A calls UE-B without preconditions
    Then UE-B receives the INVITE with UE-A's identity in P-Asserted-Identity
    And the INVITE at UE-B was record-routed by the network
    When UE-B rings and answers
    Then UE-A receives 180 and then 200 OK for the INVITE
    And UE-B receives the ACK
    When UE-A hangs up
    Then UE-B receives the BYE and UE-A's BYE gets 200 OK

  @IMS-CALL-002 @mandatory @pics:preconditions @pics:100rel @ref=TS24.229-5.1.3 @ref=RFC3312 @ref=TS34.229-5-7.4a
  Scenario: Call with preconditions at both ends
    Given UE-A and UE-B are registered
    When UE-A calls UE-B with preconditions
    Then UE-B receives an INVITE that supports precondition and 100rel
    When UE-B answers with a reliable 183 carrying its SDP
    Then UE-A receives a reliable 183 and its PRACK gets 200 OK
    When UE-A sends an UPDATE saying its resources are reserved
    Then UE-B receives the UPDATE and UE-A gets 200 OK for it
    When UE-B rings and answers
    Then UE-A receives 180 and then 200 OK for the INVITE
    And UE-B receives the ACK

  @IMS-CALL-003 @mandatory @pics:100rel @ref=RFC3262
  Scenario: Reliable provisional responses
    Given UE-A and UE-B are registered
    When UE-A calls UE-B without preconditions
    And UE-B answers with a reliable 180
    Then UE-A receives a reliable 180 and its PRACK gets 200 OK
    When UE-B answers
    Then UE-A receives 200 OK for the INVITE
    And UE-B receives the ACK

  @IMS-CALL-004 @mandatory @ref=RFC3261-9
  Scenario: Caller cancels before answer
    Given UE-A and UE-B are registered
    When UE-A calls UE-B without preconditions
    And UE-B rings
    And UE-A receives 180
    And UE-A cancels the call
    Then UE-A receives 200 OK for the CANCEL and 487 for the INVITE
    And UE-B sees the call cancelled

  @IMS-CALL-005 @mandatory @ref=RFC3261-21.4.24
  Scenario: Callee busy
    Given UE-A and UE-B are registered
    When UE-A calls UE-B without preconditions
    And UE-B answers with 486
    Then UE-A receives 486 for the INVITE
    And UE-B receives the ACK for its final response

  @IMS-CALL-006 @mandatory @ref=RFC3261-21.4.18 @ref=RFC3261-21.6.2
  Scenario: Callee declines
    Given UE-A and UE-B are registered
    When UE-A calls UE-B without preconditions
    And UE-B answers with 603
    Then UE-A receives 603 for the INVITE
    And UE-B receives the ACK for its final response

  @IMS-CALL-007 @mandatory @ref=TS24.229-5.4.3.3
  Scenario: Call to an unregistered user
    Given UE-A is registered
    When UE-A calls a user who is not registered
    Then UE-A's call is rejected with 480 or 404

  @IMS-CALL-008 @mandatory @ref=TS24.228-8.2
  Scenario: Release by the callee
    Given UE-A and UE-B are registered
    And UE-A has called UE-B and UE-B has answered
    When UE-B hangs up
    Then UE-A receives the BYE and UE-B's BYE gets 200 OK

  @IMS-CALL-011 @optional @pics:100rel @ref=RFC3261-13.2.2.4 @ref=TS34.229-1-C.27
  Scenario: Forked INVITE, two early dialogs
    Given UE-A is registered
    And UE-B is registered from two devices
    When UE-A calls UE-B without preconditions
    And both of UE-B's devices answer with a reliable 183
    Then UE-A has two early dialogs and PRACKs each 183 once
    When UE-B's first device answers
    Then UE-A's call is confirmed with UE-B's first device
    And UE-B's second device sees the call cancelled

  @IMS-CALL-012 @mandatory @pics:tel-uri @ref=TS24.229-5.1.2A @ref=RFC3966
  Scenario: Call to a tel URI
    Given UE-A and UE-B are registered
    When UE-A calls UE-B's tel URI
    Then UE-B receives the INVITE with UE-A's identity in P-Asserted-Identity
    When UE-B rings and answers
    Then UE-A receives 180 and then 200 OK for the INVITE
    And UE-B receives the ACK
