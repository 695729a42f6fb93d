import t from 'tap'
import { eventLogContract } from '../contracts/event-log.js'
import { openSqlite } from './open-database.js'

eventLogContract(t, openSqlite)
