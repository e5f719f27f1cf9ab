// The Cilium minors a cluster can run, each with the Gateway API CRDs its operator requires and
// the datapath setting its Gateway API support needs. One source for the XRD's pattern, the
// function and the CRD bundles (scripts/gateway-api-crds.ts); test/cilium.test.ts holds every row
// to the Cilium source of that release, read from the Go module proxy.
//
// Cilium's operator turns Gateway API on only if every CRD it requires is installed when it
// starts, and only if kube-proxy replacement (or, up to 1.18, NodePort) is on: otherwise there is
// no `cilium` GatewayClass and K8TRE's gateway is never programmed
// (operator/pkg/gateway-api/cell.go; Documentation/network/servicemesh/gateway-api/installation.rst).
// Cilium is upgraded one minor at a time (Documentation/operations/upgrade.rst), so every minor
// from the one the package first shipped (1.17) to the newest stays here.

export interface CiliumRelease {
  readonly minor: string;
  /** The newest patch the Go module proxy serves, and the chart version installed by default. */
  readonly patch: string;
  /** h1 hash of the github.com/cilium/cilium module at that patch, which the test verifies its download against. */
  readonly moduleSum: string;
  /** The Gateway API release whose standard-channel CRDs Cilium's documentation names. */
  readonly gatewayApiVersion: string;
  /** The CRDs (plural names) the operator requires, at the API versions it checks. */
  readonly requiredCrds: readonly { readonly plural: string; readonly version: string }[];
  /** Gateway API needs kube-proxy replacement; before 1.19 NodePort alongside kube-proxy sufficed. */
  readonly kubeProxyReplacement: boolean;
  /** The Kubernetes minors Cilium tests the release with (Documentation/network/kubernetes/compatibility.rst). */
  readonly testedKubernetes: readonly string[];
}

const STANDARD_FIVE = [
  { plural: 'gatewayclasses', version: 'v1' },
  { plural: 'gateways', version: 'v1' },
  { plural: 'httproutes', version: 'v1' },
  { plural: 'grpcroutes', version: 'v1' },
  { plural: 'referencegrants', version: 'v1beta1' },
] as const;

export const CILIUM_RELEASES: readonly CiliumRelease[] = [
  {
    minor: '1.17',
    patch: '1.17.17',
    moduleSum: 'h1:lm2loJwLu9jDjC5Izk71Y5Zkr//rY7UXqvQjNT2KwFE=',
    gatewayApiVersion: 'v1.2.0',
    requiredCrds: STANDARD_FIVE,
    kubeProxyReplacement: false,
    testedKubernetes: ['1.29', '1.30', '1.31', '1.32'],
  },
  {
    minor: '1.18',
    patch: '1.18.11',
    moduleSum: 'h1:8KV/ntPoZ6nRMW1l+AVbvkbvIHJhv2ZiBFJD5MEEthg=',
    gatewayApiVersion: 'v1.3.0',
    requiredCrds: STANDARD_FIVE,
    kubeProxyReplacement: false,
    testedKubernetes: ['1.30', '1.31', '1.32', '1.33'],
  },
  {
    minor: '1.19',
    patch: '1.19.5',
    moduleSum: 'h1:R4tqIO3wwjzr5TnPw5cSbUhdMIjMAoHhtjNvO/hIZ+Q=',
    gatewayApiVersion: 'v1.4.1',
    requiredCrds: STANDARD_FIVE,
    kubeProxyReplacement: true,
    testedKubernetes: ['1.32', '1.33', '1.34', '1.35'],
  },
  {
    minor: '1.20',
    patch: '1.20.2',
    moduleSum: 'h1:dqiEGIcXc+gqCLYG/l7VCFJ8GHyb4HUrwbZOpkX5dL8=',
    gatewayApiVersion: 'v1.6.1',
    requiredCrds: [
      { plural: 'gatewayclasses', version: 'v1' },
      { plural: 'gateways', version: 'v1' },
      { plural: 'httproutes', version: 'v1' },
      { plural: 'grpcroutes', version: 'v1' },
      { plural: 'tlsroutes', version: 'v1' },
      { plural: 'referencegrants', version: 'v1' },
      { plural: 'backendtlspolicies', version: 'v1' },
    ],
    kubeProxyReplacement: true,
    testedKubernetes: ['1.33', '1.34', '1.35', '1.36'],
  },
];

/** The newest release: what new clusters get. */
export const DEFAULT_CILIUM: CiliumRelease = CILIUM_RELEASES[CILIUM_RELEASES.length - 1]!;

export function ciliumRelease(version: string): CiliumRelease | undefined {
  return CILIUM_RELEASES.find((r) => version.startsWith(`${r.minor}.`));
}

/** A Cilium patch version of a minor in the table, for the XRD and the spec reader. */
export const CILIUM_VERSION_PATTERN = new RegExp(`^(${CILIUM_RELEASES.map((r) => r.minor.replace('.', '\\.')).join('|')})\\.[0-9]{1,2}$`);
