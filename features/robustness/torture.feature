Feature: Torture messages
  The network's parser and its handling of the torture messages of RFC 4475: valid ones processed,
  invalid ones rejected (or tolerated where the RFC lets an element be liberal), none of them able to
  make the network stop answering.

  @IMS-ROB-001 @mandatory @transport:udp @ref=RFC4475
  Scenario: Torture messages
    Given UE-B is registered
    When the torture messages of RFC 4475 are sent to the network one by one
    Then each torture message is answered as RFC 4475 expects
    And the network answered OPTIONS after each torture message
