// Public API of the SIP authentication module: Digest (RFC 7616 / RFC 2617), MILENAGE (TS 35.206)
// and IMS AKA (TS 33.102, RFC 3310, RFC 4169, TS 24.229).
export type { AuthChallenge, AuthCredentials, ParsedCredentials } from "./challenge.ts";
export { formatChallenge, formatCredentials, parseAuthChallenges, parseAuthParams, parseCredentials, quoteString } from "./challenge.ts";
export type { DigestAlgorithmInfo, DigestAnswer, DigestClientOptions, DigestErrorCode, DigestInput, DigestRequest, DigestSecret, RespondOptions } from "./digest.ts";
export { computeDigestResponse, computeHA1, DigestClient, digestAlgorithm, formatNonceCount, selectDigestChallenge } from "./digest.ts";
export type { DigestVerifyFailure, DigestVerifyResult, VerifyDigestOptions } from "./digest-verify.ts";
export { NonceCountTracker, verifyDigest } from "./digest-verify.ts";
export type { MilenageF1Output, MilenageF2345Output } from "./milenage.ts";
export { f1, f1Both, f1Star, f2, f2345, f3, f4, f5, f5Star, milenageOpc } from "./milenage.ts";
export type { AkaRespondInput, AkaResult, AuthVector, GenerateAuthVectorInput, ResyncResult, Sqn } from "./aka.ts";
export {
  akaAlgorithm,
  akaDigestPassword,
  akaNonce,
  akaRespond,
  akaRespondOptions,
  generateAuthVector,
  initialAuthorization,
  macFailureAuthorization,
  parseAkaNonce,
  resynchronise,
  sqnToBigInt,
  sqnToBuffer,
} from "./aka.ts";
export type { EncryptionAlgorithm, EspKeys, IntegrityAlgorithm } from "./ipsec-keys.ts";
export { ENCRYPTION_ALGORITHMS, INTEGRITY_ALGORITHMS, deriveEspKeys, espEncryptionKey, espIntegrityKey, isEncryptionAlgorithm, isIntegrityAlgorithm, keyFingerprint } from "./ipsec-keys.ts";
export type { Ipsec3gppParameters, SecurityMechanism } from "./security-mechanism.ts";
export { formatIpsec3gpp, isIpsecError, parseSecurityMechanisms, readIpsec3gpp, sameMechanisms } from "./security-mechanism.ts";
