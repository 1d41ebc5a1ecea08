import type { ChatTool } from './chat-types';

/** A function tool as another API describes it: its name, schema and options. */
export interface FunctionToolSpec {
  /** Required by every API; validated before conversion. */
  name?: string;
  description?: string;
  parameters?: unknown;
  strict?: boolean | null;
}

/**
 * A function tool in chat's shape (`{type: "function", function: {...}}`), from the flat
 * descriptions the Responses API and the Anthropic Messages API use. Absent fields stay absent.
 */
export function toChatFunctionTool(tool: FunctionToolSpec): ChatTool {
  return {
    type: 'function',
    function: {
      // Every API requires the name and its DTO has checked it; '' only satisfies the type.
      name: tool.name ?? '',
      ...(tool.description !== undefined && { description: tool.description }),
      ...(tool.parameters !== undefined && { parameters: tool.parameters }),
      ...(tool.strict !== undefined && tool.strict !== null && { strict: tool.strict }),
    },
  };
}
