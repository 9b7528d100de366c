Feature: SMS over IP
  Short messages carried in SIP MESSAGE requests (TS 24.341): the sender submits RP-DATA with an
  SMS-SUBMIT to the public service identity of its SC and gets 202 and a submit report; the
  recipient gets RP-DATA with the SMS-DELIVER and sends its delivery report back (TS 24.011 7.3,
  TS 23.040 9.2). Every RP message a UE receives is judged by the requirements sms.*.

  @IMS-MSG-002 @mandatory @pics:sms-over-ip @ref=TS24.341-5.3.1.2 @ref=TS24.341-5.3.2.3 @ref=TS24.341-5.3.2.4 @ref=TS24.011-7.3
  Scenario Outline: SMS over IP submission and delivery in <alphabet>
    Given UE-A and UE-B are registered
    When UE-A submits the SMS "<text>" to UE-B through the SMSC
    Then the SMSC accepts UE-A's SMS with 202 Accepted
    And UE-A receives the submit report RP-ACK for its SMS
    And UE-B receives the SMS-DELIVER from UE-A with the text "<text>" in <alphabet>
    And UE-B's delivery report RP-ACK is accepted with 202 Accepted

    Examples:
      | alphabet  | text                       |
      | GSM 7-bit | hello from UE-A: 100€ {ok} |
      | UCS2      | Grüße 你好                   |
