// Kafka's topic name rules: 1..249 characters of [a-zA-Z0-9._-], not "." or "..".

export const TOPIC_NAME_LENGTH_MAX = 249;
const legalTopicName = /^[a-zA-Z0-9._-]+$/;

/** Why the name is not a legal topic name, or undefined when it is. */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'Topic name is illegal, it can\'t be empty';
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > TOPIC_NAME_LENGTH_MAX) return `Topic name is illegal, it can't be longer than ${TOPIC_NAME_LENGTH_MAX} characters`;
  if (!legalTopicName.test(name)) return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  return undefined;
}

/** Kafka warns that '.' and '_' collide in metric names; internal topics start with "__". */
export function isInternalTopic(name: string): boolean {
  return name === '__consumer_offsets' || name === '__transaction_state';
}
