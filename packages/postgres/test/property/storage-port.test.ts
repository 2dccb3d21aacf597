import { describeStoragePortProperties } from '../../../evertask/test/support/storage-port-properties.js';
import { describeWithPostgres, useFreshSchema } from '../pg-test-helpers.js';

const describePg = await describeWithPostgres();

describePg('PostgreSQL port properties', () => {
  const { fresh } = useFreshSchema(import.meta.url);
  describeStoragePortProperties('PostgresStorage', fresh, (storage) => storage.close());
});
