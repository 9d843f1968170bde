import { CreateTableCommand, DescribeTableCommand, ResourceInUseException, UpdateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput, tableDefinition } from '../data/table-definition';

/**
 * Creates the table from the shared definition unless it exists (local runtime and tests); an
 * existing one (data of an earlier version) gets the indexes it lacks, one at a time, as DynamoDB allows.
 */
export async function ensureTable(client: DynamoDBDocumentClient, tableName: string): Promise<'created' | 'existing'> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((gsi) => gsi.IndexName));
    const input = createTableInput(tableName);
    for (const gsi of input.GlobalSecondaryIndexes ?? []) {
      if (present.has(gsi.IndexName)) continue;
      const attributes = gsi.KeySchema!.map((key) => ({ AttributeName: key.AttributeName!, AttributeType: 'S' as const }));
      await client.send(
        new UpdateTableCommand({ TableName: tableName, AttributeDefinitions: attributes, GlobalSecondaryIndexUpdates: [{ Create: { ...gsi } }] }),
      );
    }
    return 'existing';
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    return 'existing';
  }
  await client.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true } }),
  );
  return 'created';
}
