Feature: Robustness
  The network's transaction layer and its handling of requests it cannot serve (RFC 3261 8.2, 17.2).

  @IMS-ROB-002 @mandatory @transport:udp @ref=RFC3261-17.2
  Scenario: Request retransmission over UDP
    Given UE-A and UE-B are registered
    When UE-A sends a MESSAGE to UE-B and retransmits it unchanged
    Then UE-A receives the same final response to both copies
    And UE-B receives the MESSAGE once

  @IMS-ROB-003 @mandatory @ref=RFC3261-8.2.1 @ref=RFC3261-8.2.2.3
  Scenario: Unknown method and unsupported extension
    Given UE-A is registered
    When UE-A sends a request with the unknown method "FOOBAR" to the network
    Then UE-A receives 405 with an Allow header
    When UE-A sends an OPTIONS to the network that requires the extension "x-ims-interop-unknown"
    Then UE-A receives 420 with Unsupported: x-ims-interop-unknown
