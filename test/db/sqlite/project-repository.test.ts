import t from 'tap'
import { projectRepositoryContract } from '../contracts/projects.js'
import { openSqlite } from './open-database.js'

projectRepositoryContract(t, openSqlite)
