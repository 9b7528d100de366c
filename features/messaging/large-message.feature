Feature: Large message over TCP
  A request too large for UDP goes over a congestion-controlled transport: over 1300 bytes when the
  path MTU is unknown (RFC 3261 18.1.1, TS 24.229 4.2A), both from the UE to its P-CSCF and from the
  network to a UE that registered over UDP, which listens for TCP on the same port.

  @IMS-MSG-004 @mandatory @pics:tcp @transport:udp @ref=TS24.229-4.2A @ref=RFC3261-18.1.1
  Scenario: Large message over TCP
    Given UE-A and UE-B are registered over UDP
    When UE-A sends a MESSAGE of 4000 bytes to UE-B
    Then UE-A's MESSAGE went over TCP to its P-CSCF
    And UE-B receives it over TCP with the body intact
    And UE-A's MESSAGE gets 200 OK on the same connection
