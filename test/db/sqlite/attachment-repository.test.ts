import t from 'tap'
import { attachmentRepositoryContract } from '../contracts/attachments.js'
import { openSqlite } from './open-database.js'

attachmentRepositoryContract(t, openSqlite)
