import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type ErrorNotification, formatNotification, parseStateMachineFailure } from './notification';
import { assertPublishInput, type PublishInput } from './publish-input';

export interface LocalNotifierProps {
  /** the local lake folder; notifications go to `<lakeRoot>/_notifications/<yyyy-mm-dd>.jsonl` */
  readonly lakeRoot: string;
  /**
   * Where the one-line console message goes (no trailing newline is passed).
   * @default a line on stderr
   */
  readonly write?: (line: string) => void;
  /**
   * The lake prefixes a failed stage involves, for failures published by the state machine.
   * @default only the run's `_manifests/run=<runId>/` prefix
   */
  readonly prefixesFor?: (stage: string, runId: string) => readonly string[];
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** One line of `_notifications/<date>.jsonl`. */
export interface NotificationRecord {
  readonly at: string;
  readonly messageId: string;
  readonly kind: 'failure' | 'notice';
  readonly topicArn?: string;
  readonly subject: string;
  /** set for failures */
  readonly notification?: ErrorNotification;
  /** the published text */
  readonly message: string;
}

/** The local twin's error topic: a JSON line appended under the lake, and one line on the console. */
export class LocalNotifier {
  readonly folder: string;
  private readonly write: (line: string) => void;
  private readonly now: () => Date;

  constructor(private readonly props: LocalNotifierProps) {
    this.folder = path.join(path.resolve(props.lakeRoot), '_notifications');
    this.write = props.write ?? ((line) => process.stderr.write(`${line}\n`));
    this.now = props.now ?? (() => new Date());
  }

  /** Records one structured failure. */
  async notify(notification: ErrorNotification, topicArn?: string): Promise<{ readonly MessageId: string }> {
    const { subject, body } = formatNotification(notification);
    return this.record({ kind: 'failure', topicArn, subject, notification, message: body });
  }

  /** What an `sns:publish` task does: a failure from the state machine's failure path, or a plain notice. */
  async publish(input: PublishInput): Promise<{ readonly MessageId: string }> {
    const failure = parseStateMachineFailure(input.Message, this.props.prefixesFor);
    if (failure !== undefined) return this.notify(failure, input.TopicArn);
    return this.record({
      kind: 'notice',
      topicArn: input.TopicArn,
      subject: input.Subject ?? '(no subject)',
      message: input.Message,
    });
  }

  /** `publish` for a Task state's resolved Parameters (checked first). */
  async publishFromTask(input: unknown): Promise<{ readonly MessageId: string }> {
    return this.publish(assertPublishInput(input));
  }

  private async record(
    entry: Omit<NotificationRecord, 'at' | 'messageId'>,
  ): Promise<{ readonly MessageId: string }> {
    const at = this.now();
    const record: NotificationRecord = { at: at.toISOString(), messageId: randomUUID(), ...entry };
    await mkdir(this.folder, { recursive: true });
    // One appendFile per record: O_APPEND keeps concurrent lines whole.
    await appendFile(
      path.join(this.folder, `${record.at.slice(0, 10)}.jsonl`),
      `${JSON.stringify(record)}\n`,
    );
    this.write(consoleLine(record));
    return { MessageId: record.messageId };
  }
}

function consoleLine(record: NotificationRecord): string {
  const n = record.notification;
  if (n !== undefined) {
    const attempt = n.attempt === undefined ? '' : ` (attempt ${n.attempt})`;
    return `✖ run ${n.runId} failed in ${n.stage}${attempt}: ${n.errorName}: ${firstLine(n.cause)} — ${n.lookup.cli}`;
  }
  return `● ${record.subject}: ${firstLine(record.message)}`;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
