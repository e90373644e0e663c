// meta.k8s.io/v1 Table and the shape of one kind's printer (upstream's TableHandler: column
// definitions plus a function that turns one object into one row).

/** metav1.TableColumnDefinition. Every field is always serialized (no omitempty upstream). */
export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type: "string", "integer", "number", "boolean", "date". */
  type: string;
  /** OpenAPI format; "name" marks the column that holds the object's name. */
  format: string;
  description: string;
  /** 0 = shown by default; 1 = shown with `-o wide`. */
  priority: number;
}

/** metav1.TableRowCondition. */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata, the full object, or absent (includeObject=None). */
  object?: unknown;
}

export interface TableListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Table {
  kind: "Table";
  apiVersion: "meta.k8s.io/v1";
  metadata: TableListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export type IncludeObject = "None" | "Metadata" | "Object";

/** What a print function returns for one object. */
export interface PrintedRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
}

/** Everything a print function may depend on besides the object. */
export interface PrintContext {
  /** The current time, epoch milliseconds (AGE and other "since" cells). */
  now: number;
}

/**
 * One kind's printer. Cells are always generated "wide" (every column, priority 0 and 1), as the
 * apiserver does: kubectl hides priority>0 columns unless `-o wide`.
 */
export interface Printer {
  columns: TableColumnDefinition[];
  print(obj: Record<string, unknown>, ctx: PrintContext): PrintedRow;
}
