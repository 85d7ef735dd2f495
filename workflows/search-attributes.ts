// Custom search attributes that make cases findable in the Temporal UI and CLI.
// They are eventually consistent, so list views read the database instead.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CASE_STAGE = defineSearchAttributeKey('ShouhouStage', SearchAttributeType.KEYWORD);
export const CASE_SEVERITY = defineSearchAttributeKey('ShouhouSeverity', SearchAttributeType.KEYWORD);
export const CASE_ASSIGNEE = defineSearchAttributeKey('ShouhouAssignee', SearchAttributeType.KEYWORD);
export const CASE_BREACHED = defineSearchAttributeKey('ShouhouBreached', SearchAttributeType.BOOL);

export const ALL_SEARCH_ATTRIBUTES = [CASE_STAGE, CASE_SEVERITY, CASE_ASSIGNEE, CASE_BREACHED];
