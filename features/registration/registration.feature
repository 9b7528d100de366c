Feature: Registration and authentication
  TS 24.229 5.1.1 registration procedures as in the flows of TS 24.228 6: the UE registers its
  contact through the P-CSCF, answers the S-CSCF's challenge (IMS-AKA or SIP Digest) and keeps the
  Service-Route and the P-Associated-URI of the 200 OK.

  @IMS-REG-001 @mandatory @pics:aka @ref=TS24.229-5.1.1.2 @ref=TS24.228-6.2 @ref=RFC3310
  Scenario: Initial registration with IMS-AKA
    Given a UE with AKA credentials
    When the UE registers
    Then its first REGISTER carries an Authorization with an empty response
    And the network challenges it with 401 and algorithm AKAv1-MD5 or AKAv2-MD5
    And the registration ends with 200 OK
    And the 200 OK carries a Service-Route
    And P-Associated-URI lists the public identities of the UE

  @IMS-REG-002 @mandatory @pics:digest @ref=TS24.229-5.1.1.2.3 @ref=RFC7616
  Scenario: Initial registration with SIP Digest
    Given a UE with Digest credentials
    When the UE registers
    Then the network challenges it with 401 and a Digest challenge with qop auth
    And the registration ends with 200 OK
    And the 200 OK carries a Service-Route
    And P-Associated-URI lists the public identities of the UE

  @IMS-REG-003 @mandatory @ref=TS24.229-5.4.1.2
  Scenario: Registration rejected for a wrong credential
    Given UE-B is registered
    And a UE with a wrong password or key
    When the UE registers
    Then the registration is refused
    And a MESSAGE from UE-B to the UE gets 480 or 404

  @IMS-REG-004 @mandatory @ref=TS24.229-5.4.1.2
  Scenario: Registration of an unknown identity
    Given a UE with an identity the network does not know
    When the UE registers
    Then the registration is refused with 403 or 404

  @IMS-REG-005 @mandatory @ref=TS24.228-6.3 @ref=TS34.229-1-C.46
  Scenario: Re-registration before expiry
    Given UE-A is registered
    When UE-A re-registers before its registration expires
    Then the re-REGISTER reuses the Call-ID with a higher CSeq
    And the registration ends with 200 OK
    And the 200 OK grants UE-A's contact a new expiry

  @IMS-REG-006 @mandatory @ref=TS24.229-5.1.1.6 @ref=TS34.229-1-C.30
  Scenario: UE-initiated de-registration
    Given UE-A and UE-B are registered
    When UE-A de-registers
    Then the registration ends with 200 OK
    When UE-B calls UE-A
    Then UE-B's call is rejected with 480 or 404

  @IMS-REG-007 @mandatory @pics:reg-event @ref=TS24.229-5.1.1.3 @ref=RFC3680
  Scenario: Subscription to the reg event package
    Given UE-A is registered
    When UE-A subscribes to its reg event
    Then the SUBSCRIBE is routed by the Service-Route
    And the subscription is accepted with a 2xx response
    And UE-A receives a NOTIFY with application/reginfo+xml
    And the reginfo shows UE-A's contact as active

  @IMS-REG-008 @mandatory @pics:reg-event @ref=TS24.228-6.7 @ref=TS34.229-1-11.1
  Scenario: Network-initiated de-registration
    Given UE-A is registered
    And UE-A is subscribed to its reg event
    When the network de-registers UE-A
    Then UE-A receives a NOTIFY with its contact terminated
    And the subscription is terminated

  @IMS-REG-009 @mandatory @pics:aka @ref=TS24.228-6.8
  Scenario: Network-initiated re-authentication
    Given a UE with AKA credentials is registered
    When the network requires the UE to re-authenticate
    And the UE re-registers
    Then the network challenges the re-REGISTER with 401
    And the registration ends with 200 OK

  @IMS-REG-010 @mandatory @pics:aka @ref=RFC3310-3.4 @ref=TS33.102-6.3.5
  Scenario: AKA sequence number resynchronisation
    Given a UE with AKA credentials whose sequence number is ahead of the network's
    When the UE registers
    Then the UE answers the first challenge with an auts parameter
    And the network sends a fresh challenge
    And the registration ends with 200 OK

  @IMS-REG-011 @mandatory @pics:tcp @transport:tcp @ref=TS24.229-5.1.1.2 @ref=RFC3261-18
  Scenario: Registration over TCP
    Given UE-A uses TCP
    When UE-A registers
    Then the registration ends with 200 OK
    And every response reached UE-A on the TCP connection it opened
