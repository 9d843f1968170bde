import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The single table's shape, shared by the CDK stateful stack and the local runtime so that
 * DynamoDB Local and AWS never drift. Keys are generic (`pk`, `sk`, `gsiNpk`, `gsiNsk`); each
 * index is named for the access pattern it serves.
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB's TTL deletes expired tokens some time after this instant. */
  ttlAttribute: 'expiresAtEpoch',
  indexes: {
    /** List users in one status, optionally of one type: gsi1pk = STATUS#<status>, gsi1sk = <type>#<id>. */
    usersByStatus: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** List all users, optionally of one type: gsi2pk = USERS, gsi2sk = <type>#<id>. */
    usersByType: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /** A user's tasks and CRM activities: gsi3pk = RESP#<userId>, gsi3sk = <state>#<kind>#<id>. */
    workByResponsible: { partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    /**
     * Sparse, users only while a date matters: gsi4pk = DISMISSAL_DUE (a scheduled dismissal) or
     * DISMISSED, gsi4sk = <ISO time>#<id>. Due dismissals and stale accounts are range Queries
     * whose cost grows with what is due, not with the table.
     */
    usersByLifecycleDate: { partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
    /** HR delivery events by status (failed ones for admins): gsi5pk = HRDELIVERY#<status>, gsi5sk = <receivedAt>#<provider>#<id>#<n>. */
    deliveriesByStatus: { partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
    /**
     * Finding people by the start of a name or an address: one search-term item per user and term,
     * gsi6pk = TERM#<first character of the folded term>, gsi6sk = <folded term>#<id>.
     */
    usersBySearchTerm: { partitionKey: 'gsi6pk', sortKey: 'gsi6sk' },
    /**
     * Sparse, delivery items only while something is due: a pair's retry, a connector pair's lease
     * that would run out with work left, a subscription run's `wanted` pairs. gsi7pk = EVENTS_DUE,
     * gsi7sk = <ISO time>#<kind>#<targetId>#<userId> or <ISO time>#run#<subscriptionId>.
     */
    eventDeliveriesDue: { partitionKey: 'gsi7pk', sortKey: 'gsi7sk' },
  },
} as const;

export type IndexName = keyof typeof tableDefinition.indexes;

/**
 * An index and its key attributes, by name, for the Query that uses it: the name and attributes
 * come from the definition the table is created from, so a query cannot name an index or an
 * attribute the table does not have.
 */
export function index<N extends IndexName>(
  name: N,
): { IndexName: N; partitionKey: (typeof tableDefinition.indexes)[N]['partitionKey']; sortKey: (typeof tableDefinition.indexes)[N]['sortKey'] } {
  const { partitionKey, sortKey } = tableDefinition.indexes[name];
  return { IndexName: name, partitionKey, sortKey };
}

/** The CreateTable request for DynamoDB Local (AWS gets the same shape from the CDK stack). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, indexes } = tableDefinition;
  const indexAttributes = Object.values(indexes).flatMap((index) => [index.partitionKey, index.sortKey]);
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [partitionKey, sortKey, ...indexAttributes].map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: Object.entries(indexes).map(([name, index]) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
