Feature: Session timers
  RFC 4028 session timers through the network: the caller asks for a session timer it refreshes, the
  callee accepts it, the core carries Supported: timer, Session-Expires and Min-SE end to end and
  changes them only as a proxy may (TS 24.229 5.2.7.2 and 5.2.7.3: RFC 4028 clause 8 at the
  P-CSCF), and carries the refresh; when the refresher stops, the other end clears the call before
  the session expires. The interval is ixit.sessionTimer.expires (90 s by default, RFC 4028's floor).

  @IMS-CALL-015 @mandatory @pics:session-timer @ref=RFC4028-8 @ref=RFC4028-9 @ref=RFC4028-10 @ref=TS24.229-5.2.7.2
  Scenario: Session refresh
    Given UE-A and UE-B are registered
    When UE-A calls UE-B with a session timer that UE-A refreshes
    Then UE-B receives the INVITE with the session timer UE-A asked for, not reduced below its Min-SE
    When UE-B answers with the session timer, UE-A refreshing
    Then UE-A receives 200 OK for the INVITE with UE-B's session interval and UE-A as the refresher
    And UE-B receives the ACK
    And UE-B receives UE-A's session refresh before the session expires, and UE-A's refresh gets 200 OK
    When UE-A stops refreshing the session
    Then UE-B ends the session before it expires: UE-A receives the BYE and UE-B's BYE gets 200 OK
