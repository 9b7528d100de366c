Feature: Media
  RTP between two UEs in a call through the network (RFC 3550, TS 26.114): each UE opens its media
  stream before it offers or answers, so the SDP carries the stream's address and port; media flows
  when the answer arrives, follows the direction of each later offer/answer (RFC 3264 6.1) and stops
  with the call. Each side sends a known tone, so a stream that arrives swapped or silent is seen;
  DTMF goes as telephone-events (RFC 4733), hold is a sendonly re-INVITE (RFC 6337), and early media
  flows on a 183 with SDP before the answer (RFC 3960).

  @IMS-CALL-013 @mandatory @ref=RFC3550 @ref=TS26.114
  Scenario: Two-way media
    Given UE-A and UE-B are registered
    When UE-A calls UE-B with media, sending a 1004 Hz tone
    And UE-B answers with media, sending a 697 Hz tone
    Then UE-A receives 200 OK for the INVITE
    And UE-B receives the ACK
    And UE-B receives RTP from UE-A with the negotiated payload type, loss within the profile's threshold and the 1004 Hz tone
    And UE-A receives RTP from UE-B with the negotiated payload type, loss within the profile's threshold and the 697 Hz tone
    When UE-A hangs up
    Then UE-B receives the BYE and UE-A's BYE gets 200 OK

  @IMS-CALL-014 @mandatory @ref=RFC4733
  Scenario: DTMF telephone-events
    Given UE-A and UE-B are registered
    When UE-A calls UE-B with media
    Then UE-B receives an offer with telephone-event
    When UE-B answers with media
    Then UE-A receives 200 OK for the INVITE
    And UE-B receives the ACK
    When UE-A sends the DTMF digits "1#" lasting 100 ms each
    And UE-A sends the DTMF digits "9" lasting 250 ms each
    Then UE-B receives the DTMF digits UE-A sent, with their durations, each ended by the E bit
    When UE-A hangs up
    Then UE-B receives the BYE and UE-A's BYE gets 200 OK

  @IMS-CALL-009 @mandatory @ref=TS24.610 @ref=RFC6337 @ref=RFC3264-8.4
  Scenario: Hold and resume
    Given UE-A and UE-B are registered
    When UE-A calls UE-B with media, sending a 1004 Hz tone
    And UE-B answers with media, sending a 697 Hz tone
    Then UE-A receives 200 OK for the INVITE
    And UE-B receives the ACK
    When UE-A puts the call on hold
    Then UE-B accepts the re-INVITE and UE-A gets 200 OK with a recvonly answer
    And media from UE-B to UE-A stops while media from UE-A to UE-B continues
    When UE-A resumes the call
    Then UE-B accepts the re-INVITE and UE-A gets 200 OK with a sendrecv answer
    And UE-B receives RTP from UE-A with the negotiated payload type, loss within the profile's threshold and the 1004 Hz tone
    And UE-A receives RTP from UE-B with the negotiated payload type, loss within the profile's threshold and the 697 Hz tone
    When UE-A hangs up
    Then UE-B receives the BYE and UE-A's BYE gets 200 OK

  @IMS-CALL-010 @mandatory @pics:early-media @ref=RFC3960 @ref=RFC5009 @ref=TS24.628
  Scenario: Early media
    Given UE-A and UE-B are registered
    When UE-A calls UE-B with media, offering early media
    And UE-B sends early media in a 183, sending a 697 Hz tone
    Then UE-A receives 183 with an SDP answer and RTP from UE-B carrying the 697 Hz tone before the 200 OK
    And where the profile claims p-early-media, the 183 authorizes early media with P-Early-Media
    When UE-B answers with media
    Then UE-A receives 200 OK for the INVITE
    And UE-B receives the ACK
    When UE-A hangs up
    Then UE-B receives the BYE and UE-A's BYE gets 200 OK
