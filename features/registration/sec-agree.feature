Feature: Security agreement for IMS AKA
  RFC 3329 client-initiated security mechanism agreement as TS 24.229 5.1.1.2 and TS 33.203 7 use it
  for IMS AKA: the UE offers ipsec-3gpp in Security-Client, the P-CSCF answers the 401 with its
  Security-Server, and the UE's next REGISTER returns it unchanged in Security-Verify. The harness
  sets up no IPsec ESP (a deliberate deviation from TS 33.203 7.4): the security associations'
  parameters and the fingerprints of the keys they would use are reported, not exercised.

  @IMS-REG-012 @mandatory @pics:sec-agree @ref=RFC3329 @ref=TS33.203-7 @ref=TS24.229-5.1.1.2
  Scenario: Security agreement headers
    Given a UE with AKA credentials that supports sec-agree
    When the UE registers
    Then its first REGISTER carries Security-Client with ipsec-3gpp and sec-agree in Require and Proxy-Require
    And the network challenges it with 401 carrying Security-Server
    And its second REGISTER carries Security-Verify equal to that Security-Server and the same Security-Client
    And the registration ends with 200 OK
    And the security associations' parameters and derived key fingerprints are in the report
