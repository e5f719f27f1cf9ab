export { API_VERSION } from '../network/api.js';

// The XRDs between a network and its spokes, composed by XK8treNetwork, never by people. The
// network decides everything a spoke holds (ranges, peers, zones) and writes it into the spoke's
// spec (contract.ts); the spoke composes the resources and reports their IDs. Spokes come in
// groups, so that no XR composes more than a bounded number of resources whatever the number of
// environments (tree.ts).

export const KIND = 'XK8treSpoke';
export const PLURAL = 'xk8trespokes';
export const GROUP_KIND = 'XK8treSpokeGroup';
export const GROUP_PLURAL = 'xk8trespokegroups';
