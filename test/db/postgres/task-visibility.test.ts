import t from 'tap'
import { taskVisibilityContract } from '../contracts/task-visibility.js'
import { openPostgres } from './open-database.js'

taskVisibilityContract(t, openPostgres)
