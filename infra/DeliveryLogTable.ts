import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DELIVERY_TABLE, SUMMARY_ATTRIBUTES } from '../lambda/history/deliveryTable';

export interface DeliveryLogTableProps {
  /** @default DynamoDB's AWS-managed key */
  encryptionKey?: IKey;
}

/**
 * The delivery log (lambda/history/deliveryTable.ts): every delivery ingress answered and each
 * rule's decision, expiring on `expiresAt`. On-demand, encrypted, with point-in-time recovery;
 * its two indexes list deliveries newest first by day and by source, holding summaries only.
 */
export class DeliveryLogTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: DeliveryLogTableProps = {}) {
    super(scope, id);
    const key = props.encryptionKey;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: DELIVERY_TABLE.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: DELIVERY_TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(key ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: key } : { encryption: TableEncryption.AWS_MANAGED }),
      // A log of the last weeks: nothing in it is needed once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    for (const index of [DELIVERY_TABLE.byDay, DELIVERY_TABLE.bySource]) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...SUMMARY_ATTRIBUTES],
      });
    }
  }

  /** Ingress: a new item per refusal, an update per accepted delivery. Nothing is read. */
  grantIngressWrites(grantee: IGrantable): void {
    this.#grantOnTable(grantee, 'dynamodb:PutItem', 'dynamodb:UpdateItem');
  }

  /** The relay: an update per decision. */
  grantRelayWrites(grantee: IGrantable): void {
    this.#grantOnTable(grantee, 'dynamodb:UpdateItem');
  }

  /** On the table alone: Table.grant adds its indexes (`/index/*`), which writers never touch. */
  #grantOnTable(grantee: IGrantable, ...actions: string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [this.table.tableArn] }));
  }
}
