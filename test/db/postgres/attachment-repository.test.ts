import t from 'tap'
import { attachmentRepositoryContract } from '../contracts/attachments.js'
import { openPostgres } from './open-database.js'

attachmentRepositoryContract(t, openPostgres)
