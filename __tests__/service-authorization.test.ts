/**
 * The ALLOW policy of a service's callers (constructs/service-authorization.ts) on its own:
 * the global-services suite checks it inside whole fleets.
 */
import { Testing } from 'cdk8s';
import { ServiceAuthorization } from '../constructs/service-authorization';

function policy(principals: readonly string[]): any {
  const chart = Testing.chart();
  new ServiceAuthorization(chart, 'a', { name: 'ratings', namespace: 'bookinfo', selector: { app: 'ratings' }, principals });
  const objects = Testing.synth(chart);
  expect(objects).toHaveLength(1);
  return objects[0];
}

describe('ServiceAuthorization', () => {
  test('lists each caller once, in sorted order, whatever order and repeats it was given (same input, same bytes)', () => {
    const ap = policy([
      'fleet.example.com/ns/shop/sa/web',
      'fleet.example.com/ns/bookinfo/sa/reviews',
      'fleet.example.com/ns/shop/sa/web',
      'fleet.example.com/ns/bookinfo/sa/productpage',
    ]);
    expect(ap.spec).toEqual({
      selector: { matchLabels: { app: 'ratings' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: [
        'fleet.example.com/ns/bookinfo/sa/productpage',
        'fleet.example.com/ns/bookinfo/sa/reviews',
        'fleet.example.com/ns/shop/sa/web',
      ] } }] }],
    });
  });

  test('with no callers the ALLOW policy has no rules, which denies every request (an empty principals list would match any source)', () => {
    expect(policy([]).spec).toEqual({ selector: { matchLabels: { app: 'ratings' } }, action: 'ALLOW' });
  });
});
