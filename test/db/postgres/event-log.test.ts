import t from 'tap'
import { eventLogContract } from '../contracts/event-log.js'
import { openPostgres } from './open-database.js'

eventLogContract(t, openPostgres)
