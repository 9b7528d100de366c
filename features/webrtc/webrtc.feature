Feature: WebRTC access from a real browser
  A WebRTC client (TS 24.371) reaches the IMS over SIP over WebSocket (RFC 7118): here sip.js 0.21.2
  in Debian's Chromium, driven through Playwright, as UE-W (and UE-V). Its SIP messages go through a
  WebSocket tap of the harness, which records them in the test case's trace and hands every message
  the browser receives to the requirements layer, as for any simulated UE.

  @IMS-RTC-001 @mandatory @pics:websocket @ref=RFC7118-5 @ref=TS24.371-5
  Scenario Outline: A browser registers over <transport>
    When UE-W registers from a browser over <transport>
    Then UE-W's registration from the browser ends with 200 OK

    Examples:
      | transport |
      | WS        |
      | WSS       |

  @IMS-RTC-003 @mandatory @pics:websocket @ref=RFC7118-5 @ref=TS24.371-5 @ref=RFC8829
  Scenario: Two browsers call each other through the network, with audio both ways
    Given UE-W is registered from a browser over WSS
    And UE-V is registered from a browser over WS
    When UE-W calls UE-V from the browser
    And UE-V answers the call in the browser
    Then UE-W's browser call is established
    And audio flows both ways between the browsers of UE-W and UE-V
    When UE-W hangs up in the browser
    Then UE-V's browser call ends

  @IMS-RTC-002 @mandatory @pics:websocket @ref=RFC7118-5 @ref=TS24.371-5 @ref=TS24.229-5.1.3
  Scenario: A browser calls an IMS UE; the call is released from either side
    Given UE-B is registered
    And UE-W is registered from a browser over WS
    When UE-W calls UE-B from the browser
    And UE-B answers the browser's call
    Then UE-W's browser call is established
    And UE-B receives the ACK
    And where the profile claims webrtc-gateway media is judged, otherwise the report says only signalling was
    When UE-W hangs up in the browser
    Then UE-B receives the browser's BYE
    When UE-W calls UE-B from the browser again
    And UE-B answers the browser's call
    Then UE-W's browser call is established
    When UE-B hangs up
    Then UE-W's browser call ends
