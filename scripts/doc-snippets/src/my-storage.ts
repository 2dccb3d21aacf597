/** The storage the custom-storage guide's test examples import as `../src/my-storage.js`. */
import { MemoryStorage } from 'evertask';

export class MyStorage extends MemoryStorage {
  readonly prefix: string;
  constructor(options: { url?: string | undefined; prefix: string }) {
    super();
    this.prefix = options.prefix;
  }
  async dropEverything(): Promise<void> {}
}
