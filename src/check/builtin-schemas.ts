/**
 * Schemas of the built-in kinds `meshfleet check` validates (recorded as hand-written,
 * not derived from an upstream OpenAPI document) and of the ObjectMeta subset.
 */
import type { SchemaNode } from './schema-bundle';

/** How metadata.name is validated, as the API server does per kind. */
export type NameRule = 'dns1123Subdomain' | 'dns1123Label' | 'dns1035Label';

/** A built-in kind: its scope, name rule and schema. */
export interface BuiltinKind {
  readonly kind: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly nameRule: NameRule;
  readonly schema: SchemaNode;
}


export const STRING: SchemaNode = { type: 'string' };
const STRING_MAP: SchemaNode = { type: 'object', additionalProperties: STRING };
const STRING_LIST: SchemaNode = { type: 'array', items: STRING };
/** Keys of ConfigMap/Secret data: the API server's IsConfigMapKey. */
const CONFIG_KEYS: SchemaNode = { type: 'string', pattern: '^[-._a-zA-Z0-9]+$', maxLength: 253 };
const INT32: SchemaNode = { type: 'integer', format: 'int32' };

/** The subset of ObjectMeta a synthesized manifest may carry. */
export const OBJECT_META: SchemaNode = {
  type: 'object',
  properties: {
    name: STRING,
    generateName: STRING,
    namespace: STRING,
    labels: STRING_MAP,
    annotations: STRING_MAP,
    finalizers: { type: 'array', items: STRING, 'x-kubernetes-list-type': 'set' },
  },
};

/**
 * Hand-written minimal schemas of the built-in core/v1 kinds meshfleet writes.
 *
 * These are NOT the Kubernetes OpenAPI: the npm candidate (kubernetes-models 5.1.0) ships
 * precompiled ES-module validators that do not reject unknown fields, so the fields below
 * were written from the Kubernetes API reference
 * (https://kubernetes.io/docs/reference/kubernetes-api/) and cover what a GitOps manifest
 * of these kinds carries; a field missing here is reported as unknown.
 */
export const CORE_V1: ReadonlyArray<BuiltinKind> = [
  {
    kind: 'Namespace',
    scope: 'Cluster',
    nameRule: 'dns1123Label',
    schema: {
      type: 'object',
      properties: { spec: { type: 'object', properties: { finalizers: STRING_LIST } } },
    },
  },
  {
    kind: 'Secret',
    scope: 'Namespaced',
    nameRule: 'dns1123Subdomain',
    schema: {
      type: 'object',
      properties: {
        type: STRING,
        data: { type: 'object', propertyNames: CONFIG_KEYS, additionalProperties: { type: 'string', format: 'byte' } },
        stringData: { type: 'object', propertyNames: CONFIG_KEYS, additionalProperties: STRING },
        immutable: { type: 'boolean' },
      },
    },
  },
  {
    kind: 'ConfigMap',
    scope: 'Namespaced',
    nameRule: 'dns1123Subdomain',
    schema: {
      type: 'object',
      properties: {
        data: { type: 'object', propertyNames: CONFIG_KEYS, additionalProperties: STRING },
        binaryData: { type: 'object', propertyNames: CONFIG_KEYS, additionalProperties: { type: 'string', format: 'byte' } },
        immutable: { type: 'boolean' },
      },
    },
  },
  {
    kind: 'ServiceAccount',
    scope: 'Namespaced',
    nameRule: 'dns1123Subdomain',
    schema: {
      type: 'object',
      properties: {
        automountServiceAccountToken: { type: 'boolean' },
        imagePullSecrets: { type: 'array', items: { type: 'object', properties: { name: STRING } } },
        secrets: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              apiVersion: STRING, kind: STRING, name: STRING, namespace: STRING,
              uid: STRING, resourceVersion: STRING, fieldPath: STRING,
            },
          },
        },
      },
    },
  },
  {
    kind: 'Service',
    scope: 'Namespaced',
    nameRule: 'dns1035Label',
    schema: {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            type: { type: 'string', enum: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] },
            selector: STRING_MAP,
            ports: {
              type: 'array',
              items: {
                type: 'object',
                required: ['port'],
                properties: {
                  name: STRING,
                  protocol: { type: 'string', enum: ['TCP', 'UDP', 'SCTP'] },
                  appProtocol: STRING,
                  port: { ...INT32, minimum: 1, maximum: 65535 },
                  targetPort: { 'x-kubernetes-int-or-string': true },
                  nodePort: INT32,
                },
              },
            },
            clusterIP: STRING,
            clusterIPs: STRING_LIST,
            externalIPs: STRING_LIST,
            externalName: STRING,
            externalTrafficPolicy: { type: 'string', enum: ['Cluster', 'Local'] },
            internalTrafficPolicy: { type: 'string', enum: ['Cluster', 'Local'] },
            healthCheckNodePort: INT32,
            loadBalancerIP: STRING,
            loadBalancerClass: STRING,
            loadBalancerSourceRanges: STRING_LIST,
            allocateLoadBalancerNodePorts: { type: 'boolean' },
            publishNotReadyAddresses: { type: 'boolean' },
            sessionAffinity: { type: 'string', enum: ['ClientIP', 'None'] },
            sessionAffinityConfig: {
              type: 'object',
              properties: { clientIP: { type: 'object', properties: { timeoutSeconds: INT32 } } },
            },
            ipFamilies: { type: 'array', items: { type: 'string', enum: ['IPv4', 'IPv6'] } },
            ipFamilyPolicy: { type: 'string', enum: ['SingleStack', 'PreferDualStack', 'RequireDualStack'] },
            trafficDistribution: STRING,
          },
        },
      },
    },
  },
];

