import t from 'tap'
import { tokenRepositoryContract } from '../contracts/tokens.js'
import { openSqlite } from './open-database.js'

tokenRepositoryContract(t, openSqlite)
