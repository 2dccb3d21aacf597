/** Orders two strings by UTF-16 code units (the order of `<`), as every storage sorts text. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Inserts `item` after every element that does not sort after it (stable for equal keys). */
export function insertSorted<T>(list: T[], item: T, compare: (a: T, b: T) => number): void {
  const last = list[list.length - 1];
  if (last === undefined || compare(last, item) <= 0) {
    list.push(item);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(list[mid] as T, item) <= 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, item);
}
