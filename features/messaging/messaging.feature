Feature: Messaging
  Page-mode instant messages (RFC 3428) between registered UEs through the network.

  @IMS-MSG-001 @mandatory @ref=RFC3428
  Scenario: Page-mode text message
    Given UE-A and UE-B are registered
    When UE-A sends the MESSAGE "hello from UE-A" to UE-B
    Then UE-B receives the MESSAGE "hello from UE-A" with UE-A's identity in P-Asserted-Identity
    And UE-A's MESSAGE gets 200 OK

  @IMS-MSG-003 @mandatory @ref=TS24.229-5.4.3.3
  Scenario: Message to an unregistered user
    Given UE-A is registered
    When UE-A sends the MESSAGE "are you there?" to a user who is not registered
    Then UE-A's MESSAGE is rejected with 480 or 404
