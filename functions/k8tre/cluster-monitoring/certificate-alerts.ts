import type { RecommendedRule } from './recommended-alerts.js';

/**
 * Expiry alerts for the certificates cert-manager issues for the network's gateway (issuance
 * CertManager), from the metrics cert-manager exports
 * (https://cert-manager.io/docs/devops-tips/prometheus-metrics/), once managed Prometheus scrapes
 * them (docs/certificates.md). cert-manager renews a certificate a third of its lifetime ahead (30
 * days for Let's Encrypt's 90), so one within 14 days of expiry has failed to renew; Key Vault
 * has then only the version pushed last, and the gateway serves it until it expires.
 */
export const CERTIFICATE_RULES: readonly RecommendedRule[] = [
  {
    alert: 'CertificateExpiresSoon',
    expression: 'certmanager_certificate_expiration_timestamp_seconds - time() < 14 * 86400',
    for: 'PT15M',
    severity: 2,
    description:
      'Certificate {{ $labels.namespace }}/{{ $labels.name }} expires within 14 days and has not been renewed: the gateway will serve an expired certificate. Check its CertificateRequest and the ACME order.',
    timeToResolve: 'PT10M',
  },
  {
    alert: 'CertificateNotReady',
    expression: 'max by (namespace, name) (certmanager_certificate_ready_status{condition="False"}) == 1',
    for: 'PT1H',
    severity: 3,
    description: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} has not been ready for an hour: cert-manager cannot issue or renew it.',
    timeToResolve: 'PT10M',
  },
];
