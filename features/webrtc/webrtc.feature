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
