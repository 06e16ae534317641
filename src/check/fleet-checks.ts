/**
 * Check 4: across clusters (MF1xx). Filled in below.
 */
import type { Finding } from './finding';
import type { MeshView } from './mesh-view';

/** Every cross-cluster check. */
export function fleetFindings(view: MeshView): Finding[] {
  void view;
  return [];
}
