import { parseArmId } from '../lib/arm-id.js';
import { FieldError } from '../lib/field-error.js';
import { byName } from '../lib/json.js';
import type { Observed } from '../lib/observed.js';
import { type SpecReader } from '../lib/spec-reader.js';
import type { SpokeSpec, SpokeStatus } from '../spoke/contract.js';
import { patterns } from './api.js';
import { gatewayChildNames } from './naming.js';
import type { EnvironmentSpec, NetworkSpec } from './spec.js';

// How each exposed environment's TLS certificate gets into the gateway's Key Vault
// (spec.gateway.certificates.issuance):
//   Manual       someone puts a PFX secret there; the reference's path and the default.
//   CertManager  cert-manager on the network's management cluster issues it with an ACME DNS-01
//                solver on the public zone and pushes it into the vault (docs/certificates.md).
//                The management cluster composes the push identity (cluster/workload-identities.ts).
//   KeyVault     the environment's spoke composes a Key Vault certificate, issued by a CA the
//                organisation registered with the vault and renewed by Key Vault itself.
// Every way, the gateway reads the secret behind the certificate by its versionless ID, so a
// renewal needs no change to the gateway. A certificate Key Vault issues exists only once issued:
// its environment is served from then on, and a live listener keeps the certificate it has until
// the new one exists.

export const CERTIFICATE_ISSUANCE = ['Manual', 'CertManager', 'KeyVault'] as const;
export type CertificateIssuance = (typeof CERTIFICATE_ISSUANCE)[number];

export const certificateLimits = {
  /**
   * Key Vault issues for whole months. Public CAs cap a TLS certificate at 200 days since
   * 2026-03-15 and at 100 days from 2027-03-15 (CA/Browser Forum ballot SC-081), which an issuer
   * enforces; an organisation's own CA may allow longer.
   */
  validityInMonths: { min: 1, max: 120 },
  /**
   * Key Vault takes a renewal trigger between 1 and 27 days per month of validity
   * (https://learn.microsoft.com/rest/api/keyvault/certificates/create-certificate/create-certificate#trigger).
   */
  renewDaysPerMonth: 27,
  renewDaysBeforeExpiry: { min: 1, max: 120 * 27 },
  /** A Key Vault issuer's name (https://learn.microsoft.com/azure/key-vault/certificates/how-to-integrate-certificate-authority). */
  issuerName: { pattern: /^[0-9A-Za-z-]{1,127}$/, describe: 'a Key Vault certificate issuer name' },
} as const;

export const certificateDefaults = {
  issuance: 'Manual',
  /** About 183 days: under the public CAs' 200-day cap. */
  validityInMonths: 6,
  renewDaysBeforeExpiry: 30,
  /** A certificate this close to expiry has missed its renewal: the network warns. */
  expiryWarningDays: 14,
} as const satisfies { issuance: CertificateIssuance } & Record<string, unknown>;

export type CertificatesSpec =
  | { readonly keyVaultId: string; readonly issuance: 'Manual' | 'CertManager' }
  | {
      readonly keyVaultId: string;
      readonly issuance: 'KeyVault';
      readonly issuerName: string;
      readonly validityInMonths: number;
      readonly renewDaysBeforeExpiry: number;
    };

/** spec.gateway.certificates. */
export function parseCertificates(certificates: SpecReader): CertificatesSpec {
  const keyVaultId = certificates.requiredString('keyVaultId', patterns.keyVaultId);
  const issuance = certificates.oneOf('issuance', CERTIFICATE_ISSUANCE, certificateDefaults.issuance);
  const keyVault = certificates.object('keyVault');
  if (issuance !== 'KeyVault') {
    if (keyVault) throw new FieldError(keyVault.path, `applies only to issuance KeyVault (issuance is ${issuance})`);
    return { keyVaultId, issuance };
  }
  if (!keyVault) throw new FieldError(certificates.field('keyVault'), 'is required with issuance KeyVault: name the issuer the vault has');
  const issuerName = keyVault.requiredString('issuerName', certificateLimits.issuerName);
  // "Unknown" leaves every certificate pending until someone merges a CA's answer by hand.
  if (issuerName.toLowerCase() === 'unknown') {
    throw new FieldError(keyVault.field('issuerName'), 'Unknown waits for a certificate merged by hand; name an issuer registered with the vault, or Self');
  }
  const validityInMonths = keyVault.integer('validityInMonths', certificateLimits.validityInMonths, certificateDefaults.validityInMonths);
  const renewMax = validityInMonths * certificateLimits.renewDaysPerMonth;
  const renewDaysBeforeExpiry = keyVault.integer(
    'renewDaysBeforeExpiry',
    { min: certificateLimits.renewDaysBeforeExpiry.min, max: renewMax },
    Math.min(certificateDefaults.renewDaysBeforeExpiry, renewMax),
  );
  return { keyVaultId, issuance, issuerName, validityInMonths, renewDaysBeforeExpiry };
}

/** What an exposed environment's spoke is told to compose when Key Vault issues its certificate. */
export function spokeCertificate(spec: NetworkSpec, env: EnvironmentSpec): Pick<SpokeSpec, 'certificate'> {
  const certificates = spec.gateway.certificates;
  if (certificates.issuance !== 'KeyVault' || !env.exposed) return {};
  const domain = env.domains.public;
  return {
    certificate: {
      keyVaultId: certificates.keyVaultId,
      name: env.certificateSecretName,
      issuerName: certificates.issuerName,
      subject: `CN=${domain}`,
      dnsNames: [domain, `*.${domain}`],
      validityInMonths: certificates.validityInMonths,
      renewDaysBeforeExpiry: certificates.renewDaysBeforeExpiry,
    },
  };
}

/**
 * A certificate's issuer, validity and vault are fixed once Key Vault has it: azurerm replaces a
 * certificate whose policy (all but its renewal) or vault changes, which the provider refuses, so
 * the certificate would stay out of sync for ever. A new certificateSecretName makes a new
 * certificate, which the gateway takes once it is issued; the old one stays in the vault.
 */
export function checkCertificatesKept(spec: NetworkSpec, toldBefore: ReadonlyMap<string, SpokeSpec>): void {
  for (const env of spec.environments) {
    const before = toldBefore.get(env.name)?.certificate;
    const now = spokeCertificate(spec, env).certificate;
    if (!before || !now || before.name.toLowerCase() !== now.name.toLowerCase()) continue;
    const changed = (
      [
        ['keyVault.issuerName', before.issuerName, now.issuerName],
        ['keyVault.validityInMonths', before.validityInMonths, now.validityInMonths],
        ['keyVaultId', before.keyVaultId.toLowerCase(), now.keyVaultId.toLowerCase()],
      ] as const
    ).find(([, was, is]) => was !== is);
    if (!changed) continue;
    const [field, was] = changed;
    throw new FieldError(
      `spec.gateway.certificates.${field}`,
      `was ${String(was)} when environment ${env.name}'s certificate ${before.name} was made; a Key Vault certificate cannot change it in place, and the provider will not replace one. ` +
        `Give the environments new certificateSecretNames with the change: their new certificates are served once issued`,
    );
  }
}

/** A secret ID without a version, so the gateway picks up renewed certificates by itself. */
export function versionlessSecretId(keyVaultId: string, secretName: string): string {
  const vaultName = parseArmId(keyVaultId).name;
  return `https://${vaultName.toLowerCase()}.vault.azure.net/secrets/${secretName}`;
}

/**
 * The secret the gateway serves an environment with, or undefined while it does not exist yet.
 * Manual and CertManager certificates are someone else's to put there; a Key Vault certificate
 * is served once its spoke reports it, and until then a live listener keeps the one it has.
 */
export function servedSecretId(spec: NetworkSpec, env: EnvironmentSpec, reported: SpokeStatus | undefined, inForce: string | undefined): string | undefined {
  if (spec.gateway.certificates.issuance !== 'KeyVault') return versionlessSecretId(spec.gateway.certificates.keyVaultId, env.certificateSecretName);
  return reported?.certificateSecretId ?? inForce;
}

/** The secret ID an observed gateway serves `environment` with. */
export function inForceSecretId(observed: Observed, gatewayKey: string, environment: string): string | undefined {
  const entry = byName(observed.forProvider(gatewayKey, 'sslCertificate')).get(gatewayChildNames(environment).certificate);
  const id = entry?.keyVaultSecretId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Warnings for Key Vault certificates that expire within `expiryWarningDays`: Key Vault should
 * have renewed them by then, so the issuer refused or the vault's CA account needs attention.
 */
export function expiryWarnings(spec: NetworkSpec, reported: ReadonlyMap<string, SpokeStatus>, now: number): string[] {
  const certificates = spec.gateway.certificates;
  if (certificates.issuance !== 'KeyVault') return [];
  const horizon = now + certificateDefaults.expiryWarningDays * 86_400_000;
  return spec.environments.flatMap((env) => {
    const expires = reported.get(env.name)?.certificateExpires;
    const at = expires === undefined ? Number.NaN : Date.parse(expires);
    if (Number.isNaN(at) || at > horizon) return [];
    const when = at <= now ? 'expired' : 'expires';
    return [
      `spec.environments[${env.name}]: the Key Vault certificate ${env.certificateSecretName} ${when} at ${expires} and has not been renewed; ` +
        `check the issuer ${certificates.issuerName} and the certificate's pending operation in the vault`,
    ];
  });
}
