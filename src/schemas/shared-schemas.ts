import { Problem, ProblemFieldError } from './problem.js'
import { Task, TaskCreate, TaskList, TaskReplace, TaskStatus, TaskUpdate } from './task.js'

/**
 * The schemas registered with `fastify.addSchema`: routes reach them by `$ref`
 * and the OpenAPI document lists them as named components.
 */
export const sharedSchemas = [TaskStatus, Task, TaskCreate, TaskReplace, TaskUpdate, TaskList, ProblemFieldError, Problem]
