import { expect, it } from 'vitest';
import { MySqlStorage } from '../src/index.js';
import { describeSecretsNotLogged, SECRET } from '../../evertask/test/support/secrets-not-logged.js';
import { describeWithMySql, MYSQL_URL } from './mysql-test-helpers.js';

const describeMySql = await describeWithMySql();

describeMySql('MySQL connection strings', () => {
  describeSecretsNotLogged('MySqlStorage', () => ({
    storage: (uri) => new MySqlStorage({ uri, tablePrefix: 'secrets_' }),
    // root has no password on the test server: a password makes the login fail (the "refused login" case)
    failingUrls: [MYSQL_URL.replace('://root@', `://root:${SECRET}@`), `mysql://root:${SECRET}@127.0.0.1:1/test`],
  }));

  it('refuses a non-mysql URI without printing its password', () => {
    let message = '';
    try {
      new MySqlStorage({ uri: `mariadb://app:${SECRET}@db/x` });
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain('mariadb://app:***@db/x');
    expect(message).not.toContain(SECRET);
  });
});
