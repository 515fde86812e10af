import { Names } from 'aws-cdk-lib';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface RateLimitWebAclProps {
  /** Requests one IP address may send in any 5 minutes; AWS WAF blocks the rest (403) until its rate falls below. 10 to 2,000,000,000. */
  requestsPer5Minutes: number;
}

/**
 * A regional AWS WAF web ACL with one rule: block an IP address that sends more than
 * `requestsPer5Minutes`. API Gateway's throttling is per source, whoever sends; this stops one
 * address flooding several. Metrics and sampled requests on, for the rule and the ACL; no logging
 * (it would be one more charge). The web ACL and the rule each cost a monthly fee, and every
 * request inspected a fee: see docs/deploy.md.
 */
export class RateLimitWebAcl extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: RateLimitWebAclProps) {
    super(scope, id);
    const limit = props.requestsPer5Minutes;
    if (!Number.isInteger(limit) || limit < 10 || limit > 2_000_000_000) {
      throw new Error(`webAcl.requestsPer5Minutes must be a whole number from 10 to 2,000,000,000 (AWS WAF's range); got ${limit}`);
    }
    // Metric names are the dimensions of AWS/WAFV2: unique, so that two relays' metrics stay apart.
    const metricName = Names.uniqueResourceName(this, { maxLength: 100 });
    const visibility = (name: string): CfnWebACL.VisibilityConfigProperty => ({ metricName: name, cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      description: `Webhooks: block an IP address over ${limit} requests in 5 minutes`,
      defaultAction: { allow: {} },
      visibilityConfig: visibility(metricName),
      rules: [
        {
          name: 'RequestsPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', evaluationWindowSec: 300, limit } },
          visibilityConfig: visibility(`${metricName}-RequestsPerIp`),
        },
      ],
    });
  }
}
