import t from 'tap'
import { jobRepositoryContract } from '../contracts/jobs.js'
import { openSqlite } from './open-database.js'

jobRepositoryContract(t, openSqlite)
