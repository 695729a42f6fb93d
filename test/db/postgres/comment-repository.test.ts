import t from 'tap'
import { commentRepositoryContract } from '../contracts/comments.js'
import { openPostgres } from './open-database.js'

commentRepositoryContract(t, openPostgres)
