import t from 'tap'
import { commentRepositoryContract } from '../contracts/comments.js'
import { openSqlite } from './open-database.js'

commentRepositoryContract(t, openSqlite)
