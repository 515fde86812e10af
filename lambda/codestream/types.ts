/**
 * The Code Stream API shapes the relay uses, typed from the official swagger
 * (../shared/codestream/vra-pipeline.swagger.json, group 2019-10-17).
 */

/** Body of `POST /codestream/api/pipelines/{id}/executions` and `/pipelines/{project}/{name}/executions`. */
export interface ExecutionRequest {
  comments?: string;
  /** Pipeline inputs. The swagger says `object`; Code Stream's server model is a string map. */
  input?: Record<string, string>;
  source?: string;
  tags?: string[];
  executionId?: string;
  executionLink?: string;
  projectId?: string;
  projectName?: string;
}

/** Answer of both execute endpoints, with 200 or 202. */
export interface ExecutionResponse {
  executionId: string;
  executionIndex: number;
  /** Relative to the Code Stream host, e.g. `/codestream/api/executions/b80254a7-…`. */
  executionLink: string;
}

/** The fields of the swagger's `Execution` that the relay and the simulator use. */
export interface Execution {
  id: string;
  name: string;
  project: string;
  index: number;
  status: ExecutionStatus;
  comments: string;
  input: Record<string, string>;
  tags: string[];
  createdAt: string;
  _link: string;
  _pipelineLink: string;
  _executedBy: string;
  _source: string;
  _createTimeInMicros: number;
}

export type ExecutionStatus =
  | 'NOT_STARTED'
  | 'STARTED'
  | 'RUNNING'
  | 'CANCELING'
  | 'WAITING'
  | 'RESUMING'
  | 'PAUSING'
  | 'PAUSED'
  | 'CANCELED'
  | 'COMPLETED'
  | 'FAILED'
  | 'SKIPPED'
  | 'QUEUED'
  | 'FAILED_CONTINUE'
  | 'ROLLING_BACK'
  | 'ROLLBACK_FAILED'
  | 'PREPARING_WORKSPACE'
  | 'ROLLBACK_COMPLETED';

/** Answer of `GET /codestream/api/pipelines/{id}/executions`. */
export interface Executions {
  count: number;
  totalCount: number;
  links: string[];
  documents: Record<string, Execution>;
}

/** A pipeline named by its id, or by its project and name. */
export type PipelineRef = { id: string } | { project: string; name: string };

/** `POST /iaas/api/login` body and answer (vRA on-premises). */
export interface CspLoginSpecification {
  refreshToken: string;
}
export interface AuthResponse {
  tokenType: string;
  token: string;
}

/** Answer of CSP's `POST /csp/gateway/am/api/auth/api-tokens/authorize` (cloud). */
export interface CspAccessTokenResponse {
  access_token: string;
  expires_in: number;
  token_type: string;
  scope?: string;
  id_token?: string;
  refresh_token?: string;
}

export function describePipeline(pipeline: PipelineRef): string {
  return 'id' in pipeline ? `pipeline ${pipeline.id}` : `pipeline ${pipeline.project}/${pipeline.name}`;
}
