import t from 'tap'
import { taskVisibilityContract } from '../contracts/task-visibility.js'
import { openSqlite } from './open-database.js'

taskVisibilityContract(t, openSqlite)
