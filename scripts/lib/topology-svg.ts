import type { ClusterStatus } from '../../functions/k8tre/cluster/status.js';
import type { NetworkStatus } from '../../functions/k8tre/network/status.js';

// out/topology.svg: the hub with the public IP and the Application Gateway and its listeners, the
// firewall and the monitoring workspaces on the left; one spoke per environment on the right with
// its subnets and, in the node subnet, its cluster; peerings between hub and spokes, each
// listener's route to the ingress subnet of its environment, and each node subnet's default route
// to the firewall (or its NAT gateway). Plain SVG, no dependencies, positions computed from the
// status alone.

const WIDTH = 1180;
const SPOKE_X = 640;
const SPOKE_WIDTH = 500;
const ROW = 20;
const SPOKE_HEADER = 28;
const SPOKE_GAP = 24;
const HUB_X = 40;
const HUB_WIDTH = 480;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x}" y="${y}" ${attrs}>${escape(content)}</text>`;
}

function box(x: number, y: number, width: number, height: number, cls: string): string {
  return `<rect x="${x}" y="${y}" width="${width}" height="${height}" rx="6" class="${cls}"/>`;
}

export function topologySvg(network: NetworkStatus, clusters: readonly ClusterStatus[]): string {
  const clusterOf = new Map(clusters.map((c) => [c.environment, c]));
  const parts: string[] = [];
  const spokeTop = new Map<string, number>();
  const ingressRowY = new Map<string, number>();
  const nodesRowY = new Map<string, number>();
  const egress = network.egress;
  const egressNote =
    egress?.via === 'natGateway'
      ? '  · out via its NAT gateway'
      : egress
        ? `  · 0.0.0.0/0 → ${egress.nextHopIp ?? egress.firewall?.privateIpAddress ?? 'the firewall, once ready'}`
        : '';

  // Spokes, stacked on the right.
  let y = 70;
  for (const env of network.environments) {
    const subnets = Object.values(env.subnets);
    const cluster = clusterOf.get(env.name);
    const height = SPOKE_HEADER + subnets.length * ROW + (cluster ? ROW + 8 : 0) + 12;
    spokeTop.set(env.name, y);
    parts.push(box(SPOKE_X, y, SPOKE_WIDTH, height, 'spoke'));
    parts.push(text(SPOKE_X + 12, y + 19, `spoke ${env.name}  ${env.addressSpace}  ${env.publicDomain}`, 'class="title"'));
    subnets.forEach((subnet, i) => {
      const rowY = y + SPOKE_HEADER + i * ROW;
      parts.push(box(SPOKE_X + 12, rowY, SPOKE_WIDTH - 24, ROW - 3, 'subnet'));
      const nodes = subnet.name === 'snet-clusternodes';
      parts.push(text(SPOKE_X + 20, rowY + 13, `${subnet.name}  ${subnet.cidr}${nodes ? egressNote : ''}`));
      if (subnet.name === 'snet-clusteringressservices') ingressRowY.set(env.name, rowY + 8);
      if (nodes) nodesRowY.set(env.name, rowY + 8);
    });
    if (cluster) {
      const clusterY = y + SPOKE_HEADER + subnets.length * ROW + 4;
      parts.push(box(SPOKE_X + 12, clusterY, SPOKE_WIDTH - 24, ROW + 2, 'cluster'));
      parts.push(
        text(
          SPOKE_X + 20,
          clusterY + 15,
          `AKS ${cluster.aks.name} (private) · pods ${cluster.networking.podCidr} · services ${cluster.networking.serviceCidr}`,
        ),
      );
    }
    y += height + SPOKE_GAP;
  }
  const height = Math.max(y + 20, 420);

  // The hub, with the gateway and its listeners.
  const listeners = network.gateway.listeners;
  const firewall = egress?.firewall;
  const monitoring = network.monitoring;
  const gatewayHeight = 104 + listeners.length * ROW;
  const extras = (firewall ? 2 : 0) + (monitoring ? 2 : 0);
  const hubHeight = 46 + gatewayHeight + extras * ROW + (extras > 0 ? 12 : 0);
  const hubY = Math.max(70, (height - hubHeight) / 2);
  parts.push(box(HUB_X, hubY, HUB_WIDTH, hubHeight, 'hub'));
  parts.push(text(HUB_X + 12, hubY + 20, `hub ${network.hub.addressSpace}`, 'class="title"'));
  parts.push(box(HUB_X + 12, hubY + 34, HUB_WIDTH - 24, gatewayHeight, 'gateway'));
  parts.push(text(HUB_X + 24, hubY + 54, `Application Gateway (WAF) · ApplicationGatewaySubnet ${network.hub.applicationGatewaySubnet.cidr ?? '(existing)'}`));
  parts.push(text(HUB_X + 24, hubY + 74, `public IP ${network.gateway.publicIpAddress ?? '(assigned by Azure)'} · HTTP redirects to HTTPS`));
  parts.push(text(HUB_X + 24, hubY + 98, 'HTTPS listeners → backend', 'class="title"'));
  listeners.forEach((listener, i) => {
    const rowY = hubY + 108 + i * ROW;
    parts.push(text(HUB_X + 24, rowY + 12, `${listener.hosts.join(', ')} → ${listener.backend}`));
    const target = ingressRowY.get(listener.environment);
    if (target !== undefined)
      parts.push(
        `<path d="M ${HUB_X + HUB_WIDTH - 12} ${rowY + 8} C ${SPOKE_X - 60} ${rowY + 8}, ${SPOKE_X - 60} ${target}, ${SPOKE_X + 12} ${target}" class="route"/>`,
      );
  });
  let extraY = hubY + 34 + gatewayHeight + 10;
  if (firewall) {
    parts.push(box(HUB_X + 12, extraY, HUB_WIDTH - 24, 2 * ROW, 'firewall'));
    parts.push(text(HUB_X + 24, extraY + 15, `Azure Firewall (${firewall.tier}) · AzureFirewallSubnet ${firewall.subnet}`));
    parts.push(text(HUB_X + 24, extraY + 32, `private IP ${firewall.privateIpAddress ?? '(once the firewall and its rules exist)'} · spokes' only way out`));
    for (const rowY of nodesRowY.values()) {
      parts.push(
        `<path d="M ${SPOKE_X + 12} ${rowY} C ${SPOKE_X - 80} ${rowY}, ${HUB_X + HUB_WIDTH + 40} ${extraY + ROW}, ${HUB_X + HUB_WIDTH - 12} ${extraY + ROW}" class="egress"/>`,
      );
    }
    extraY += 2 * ROW + 6;
  }
  if (monitoring) {
    const named = (id: string | undefined, fallback: string) => id?.split('/').pop() ?? fallback;
    parts.push(box(HUB_X + 12, extraY, HUB_WIDTH - 24, 2 * ROW, 'monitoring'));
    const pending = '(being created)';
    parts.push(text(HUB_X + 24, extraY + 15, `Log Analytics ${named(monitoring.logAnalyticsWorkspaceId, pending)} · logs, diagnostics`));
    parts.push(text(HUB_X + 24, extraY + 32, `Azure Monitor ${named(monitoring.monitorWorkspaceId, pending)} · managed Prometheus`));
  }
  parts.push(text(HUB_X, 40, 'Internet → public IP → Application Gateway', 'class="caption"'));

  // Peerings, hub to each spoke.
  for (const top of spokeTop.values()) parts.push(`<line x1="${HUB_X + HUB_WIDTH}" y1="${hubY + 20}" x2="${SPOKE_X}" y2="${top + 14}" class="peering"/>`);
  parts.push(text(SPOKE_X, 40, 'spokes (peered with the hub both ways; private DNS linked to each)', 'class="caption"'));

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    '<style>',
    '.hub{fill:#eef3fb;stroke:#3b6fb6}.spoke{fill:#f3f8ef;stroke:#4c8a3a}.subnet{fill:#fff;stroke:#b9c9b0}.cluster{fill:#fff4e0;stroke:#c98a1b}',
    '.gateway{fill:#fff;stroke:#3b6fb6}.title{font-weight:bold}.caption{fill:#555}.route{fill:none;stroke:#c0392b;stroke-width:1.5}',
    '.peering{stroke:#888;stroke-dasharray:4 3}.firewall{fill:#fdecea;stroke:#c0392b}.monitoring{fill:#f4f0fa;stroke:#7d5ba6}',
    '.egress{fill:none;stroke:#c0392b;stroke-width:1;stroke-dasharray:2 2}',
    '</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
